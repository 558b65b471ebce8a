#!/usr/bin/env bash
# lepton-collect --from prometheus against the real thing: starts Debian's
# prometheus-node-exporter on a free loopback port, scrapes it every 0.25 s
# (on the wall-clock grid) while `lepton-collect --count 2 --interval 1`
# samples the same host, converts the scrapes taken at lepton's two sample
# times, and checks that both tools saw the same host:
#   memory  mem.total_bytes == node_memory_MemTotal_bytes (both MemTotal)
#   load    load.1m equals node_load1 (within 0.005) of a scrape taken within
#           0.5 s of the sample; the kernel updates it only every 5 s
#   cpu     cpu.util{cpu="total"} within 0.10 of the busy fraction
#           1 - (idle + iowait) / total of node_cpu_seconds_total summed over
#           CPUs between the two scrapes; cpu.idle likewise with idle / total
#           (0.10 allows for the scrapes being up to 0.25 s off the samples
#           on a busy machine)
# Every converted point must be valid (finite value, metric, ts), and the CPU
# family complete (8 modes per online CPU).
# Usage: collect_node_exporter.sh BIN_DIR   (exit 77 when a peer is missing)
set -euo pipefail

bin=$(cd "${1:?usage: $0 BIN_DIR}" && pwd)
collect="$bin/lepton-collect"
exporter=/usr/bin/prometheus-node-exporter
for need in "$exporter" curl jq; do
  if ! command -v "$need" > /dev/null; then
    echo "skip: $need is not installed"
    exit 77
  fi
done

work=$(mktemp -d)
exporter_pid=""
scraper_pid=""
cleanup() {
  if [ -n "$scraper_pid" ]; then kill "$scraper_pid" 2> /dev/null || true; fi
  if [ -n "$exporter_pid" ]; then kill "$exporter_pid" 2> /dev/null || true; fi
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  if command -v python3 > /dev/null; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else
    echo $((20000 + RANDOM % 20000))
  fi
}

# Start the exporter with only the collectors compared here (fast scrapes);
# retry if another process took the port meanwhile.
port=""
for _ in 1 2 3 4 5; do
  port=$(free_port)
  "$exporter" --web.listen-address="127.0.0.1:$port" --web.disable-exporter-metrics --collector.disable-defaults \
    --collector.cpu --collector.meminfo --collector.loadavg > "$work/exporter.log" 2>&1 &
  exporter_pid=$!
  for _ in $(seq 50); do
    if curl -sf --max-time 1 "http://127.0.0.1:$port/metrics" > /dev/null 2>&1; then break 2; fi
    kill -0 "$exporter_pid" 2> /dev/null || break
    sleep 0.1
  done
  kill "$exporter_pid" 2> /dev/null || true
  wait "$exporter_pid" 2> /dev/null || true
  exporter_pid=""
done
if [ -z "$exporter_pid" ]; then
  echo "FAIL: node_exporter did not start"
  cat "$work/exporter.log"
  exit 1
fi

# Scrapes on the 0.25 s grid until told to stop; each file is named by the
# time in microseconds just before the request.
scrape_loop() {
  mkdir -p "$work/scrapes"
  while [ ! -e "$work/stop" ]; do
    local now=${EPOCHREALTIME/./}
    local next=$(((now / 250000 + 1) * 250000))
    sleep "$(printf '0.%06d' $((next - now)))"
    local at=${EPOCHREALTIME/./}
    curl -sf --max-time 2 "http://127.0.0.1:$port/metrics" > "$work/scrapes/.tmp" &&
      mv "$work/scrapes/.tmp" "$work/scrapes/$at"
  done
}
scrape_loop &
scraper_pid=$!

"$collect" --count 2 --interval 1 > "$work/lepton.ndjson"
sleep 0.6
touch "$work/stop"
wait "$scraper_pid"
scraper_pid=""

# lepton's two sample times and values.
read -r t1 t2 < <(jq -s -r '[.[].ts] | unique | "\(.[0]) \(.[-1])"' "$work/lepton.ndjson")
value() { jq -s -r --arg m "$1" --argjson t "$t2" \
  '[.[] | select(.metric == $m and .ts == $t and (.cpu // "total") == "total") | .value][0] // "missing"' \
  "$work/lepton.ndjson"; }
util=$(value cpu.util)
idle=$(value cpu.idle)
mem=$(value mem.total_bytes)
load=$(value load.1m)
for v in "$util" "$idle" "$mem" "$load"; do
  if [ "$v" = missing ]; then
    echo "FAIL: lepton-collect did not report cpu.util, cpu.idle, mem.total_bytes and load.1m at $t2"
    cat "$work/lepton.ndjson"
    exit 1
  fi
done

# The scrape nearest to a time (seconds), and its offset.
nearest() {
  local target_us
  target_us=$(jq -n -r --argjson t "$1" '$t * 1000000 | floor')
  local best="" best_d=""
  for f in "$work"/scrapes/*; do
    local at=${f##*/}
    local d=$((at - target_us))
    d=${d#-}
    if [ -z "$best" ] || [ "$d" -lt "$best_d" ]; then
      best=$f
      best_d=$d
    fi
  done
  [ -n "$best" ] || return 1
  echo "$best $best_d"
}
read -r scrape1 off1 < <(nearest "$t1")
read -r scrape2 off2 < <(nearest "$t2")
for off in "$off1" "$off2"; do
  if [ "$off" -gt 250000 ]; then
    echo "FAIL: no scrape within 0.25 s of lepton's samples (offsets ${off1} us, ${off2} us)"
    exit 1
  fi
done

convert() { "$collect" --from prometheus "$1" > "$2"; }
convert "$scrape1" "$work/a.ndjson"
convert "$scrape2" "$work/b.ndjson"

# Every converted line is a valid point.
for f in "$work/a.ndjson" "$work/b.ndjson"; do
  bad=$(jq -c 'select((.metric | type) != "string" or (.value | type) != "number" or (.ts | type) != "number")' "$f")
  if [ -n "$bad" ]; then
    echo "FAIL: converted lines that are not points: $bad"
    exit 1
  fi
done
cpus=$(getconf _NPROCESSORS_ONLN)
modes=$(jq -s '[.[] | select(.metric == "node_cpu_seconds_total")] | length' "$work/b.ndjson")
if [ "$modes" -ne $((8 * cpus)) ]; then
  echo "FAIL: node_cpu_seconds_total has $modes points, want 8 modes x $cpus CPUs"
  exit 1
fi

node_mem=$(jq -s '[.[] | select(.metric == "node_memory_MemTotal_bytes") | .value][0]' "$work/b.ndjson")

# node_load1 of every scrape within 0.5 s of t2.
t2_us=$(jq -n -r --argjson t "$t2" '$t * 1000000 | floor')
loads=()
for f in "$work"/scrapes/*; do
  at=${f##*/}
  d=$((at - t2_us))
  d=${d#-}
  if [ "$d" -le 500000 ]; then
    loads+=("$("$collect" --from prometheus "$f" --metrics node_load1 | jq '.value')")
  fi
done

# Busy and idle fractions between the two scrapes, summed over CPUs.
read -r busy node_idle < <(jq -n -r --slurpfile a "$work/a.ndjson" --slurpfile b "$work/b.ndjson" '
  def sums(p): [p[] | select(.metric == "node_cpu_seconds_total")]
               | reduce .[] as $x ({}; .[$x.mode] += $x.value);
  (sums($a)) as $x | (sums($b)) as $y
  | ([$y | keys[] | $y[.] - ($x[.] // 0)] | add) as $total
  | (($y.idle - $x.idle) / $total) as $idle
  | ((($y.iowait // 0) - ($x.iowait // 0)) / $total) as $iowait
  | "\(1 - $idle - $iowait) \($idle)"')

echo "lepton: ts $t1 -> $t2, cpu.util $util, cpu.idle $idle, mem.total_bytes $mem, load.1m $load"
echo "node_exporter: scrapes ${off1} us and ${off2} us off the samples; busy $busy, idle $node_idle," \
  "MemTotal $node_mem, node_load1 within 0.5 s: ${loads[*]}"

fail=0
if ! jq -n -e --argjson a "$mem" --argjson b "$node_mem" '$a == $b' > /dev/null; then
  echo "FAIL: memory total differs: lepton $mem, node_exporter $node_mem"
  fail=1
fi
load_ok=0
for l in "${loads[@]}"; do
  if jq -n -e --argjson a "$load" --argjson b "$l" '($a - $b) | fabs < 0.005' > /dev/null; then load_ok=1; fi
done
if [ $load_ok -ne 1 ]; then
  echo "FAIL: load.1m $load matches no node_load1 read within 0.5 s (${loads[*]})"
  fail=1
fi
if ! jq -n -e --argjson a "$util" --argjson b "$busy" '($a - $b) | fabs <= 0.10' > /dev/null; then
  echo "FAIL: cpu.util $util and node_exporter's busy fraction $busy differ by more than 0.10"
  fail=1
fi
if ! jq -n -e --argjson a "$idle" --argjson b "$node_idle" '($a - $b) | fabs <= 0.10' > /dev/null; then
  echo "FAIL: cpu.idle $idle and node_exporter's idle fraction $node_idle differ by more than 0.10"
  fail=1
fi
[ $fail -eq 0 ] && echo "PASS"
exit $fail
