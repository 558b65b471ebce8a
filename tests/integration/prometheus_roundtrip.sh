#!/usr/bin/env bash
# Lepton and Prometheus, both ways, with the real servers on loopback:
#   in:  Debian's prometheus scrapes a prometheus-node-exporter every 0.5 s
#        (scratch data directory); its /api/v1/query_range answers, fetched
#        with curl, go through
#        lepton-collect --from prometheus-api | lepton-forecast --keep-points
#        | lepton-detect, and the forecasts (passed through) and the scores
#        of the points are checked;
#   out: lepton-forecast, lepton-detect and lepton-schedule write
#        --textfile files into node_exporter's textfile directory; the
#        exporter serves them and Prometheus ingests them (queried back).
# Usage: prometheus_roundtrip.sh BIN_DIR   (exit 77 when a peer is missing)
set -euo pipefail
bin=$(cd "${1:?usage: $0 BIN_DIR}" && pwd)
export PATH="$bin:$PATH"
exporter=/usr/bin/prometheus-node-exporter
prometheus=/usr/bin/prometheus
for need in "$exporter" "$prometheus" curl jq /usr/bin/python3; do
  command -v "$need" >/dev/null || { echo "skip: $need is not installed"; exit 77; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {  # URL PID
  for _ in $(seq 100); do
    curl -sf --max-time 1 "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$work/textfile" "$work/data"
ne_port=$(free_port)
"$exporter" --web.listen-address="127.0.0.1:$ne_port" --collector.disable-defaults --collector.cpu \
  --collector.meminfo --collector.loadavg --collector.textfile \
  --collector.textfile.directory="$work/textfile" >"$work/exporter.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$ne_port/metrics" "${pids[-1]}" || { cat "$work/exporter.log"; fail "node_exporter did not start"; }

prom_port=$(free_port)
cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 500ms
  scrape_timeout: 400ms
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$ne_port']
YML
"$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)
api="http://127.0.0.1:$prom_port/api/v1"
wait_http "$api/status/buildinfo" "${pids[-1]}" || { cat "$work/prometheus.log"; fail "prometheus did not start"; }

# --- in: wait for 15 s of scrapes, then query a range
start=$(date +%s)
for _ in $(seq 120); do
  n=$(curl -sf "$api/query?query=count_over_time(node_load1%5B1m%5D)" | jq -r '.data.result[0].value[1] // 0')
  [ "$n" -ge 30 ] && break
  sleep 0.5
done
[ "$n" -ge 30 ] || fail "prometheus has only $n samples of node_load1"
end=$(date +%s)
range="start=$start&end=$end&step=0.5"
curl -sf "$api/query_range?query=node_memory_MemAvailable_bytes&$range" >"$work/mem.json"
curl -sf "$api/query_range?query=node_load1&$range" >"$work/load.json"
curl -sf "$api/query_range?query=sum(rate(node_cpu_seconds_total%7Bmode!%3D%22idle%22%7D%5B2s%5D))&$range" >"$work/cpu.json"

lepton-collect --from prometheus-api "$work/mem.json" "$work/load.json" >"$work/points.ndjson"
lepton-collect --from prometheus-api --metric node.cpu.busy_cores "$work/cpu.json" >>"$work/points.ndjson"
points=$(wc -l <"$work/points.ndjson")
[ "$points" -ge 60 ] || fail "only $points points converted"
jq -s -e 'any(.[]; .metric == "node_load1" and .job == "node" and .instance == "127.0.0.1:'"$ne_port"'")' \
  "$work/points.ndjson" >/dev/null || fail "node_load1 points lack the job/instance labels"

lepton-forecast --keep-points --horizon 10 "$work/points.ndjson" | lepton-detect >"$work/out.ndjson"
for m in node_memory_MemAvailable_bytes node_load1 node.cpu.busy_cores; do
  n=$(jq -c --arg m "$m" 'select(.kind == "forecast" and .metric == $m)' "$work/out.ndjson" | wc -l)
  [ "$n" -eq 10 ] || fail "$m: $n forecast records, want 10"
done
jq -s -e 'any(.[]; .kind == "forecast" and (.lo > .value or .hi < .value or .level != 0.95))' "$work/out.ndjson" \
  >/dev/null && fail "a forecast bound does not enclose its mean"
# Memory available cannot be forecast far from what was observed in 10 steps.
jq -s -e '(map(select(.kind == null and .metric == "node_memory_MemAvailable_bytes") | .value) | max) as $max
  | map(select(.kind == "forecast" and .metric == "node_memory_MemAvailable_bytes") | .value)
  | all(. > 0 and . < 2 * $max)' "$work/out.ndjson" >/dev/null || fail "memory forecast out of range"
scored=$(jq -c 'select(.kind == null and (.score | type) == "number" and (.anomaly | type) == "boolean")' "$work/out.ndjson" | wc -l)
[ "$scored" -eq "$points" ] || fail "$scored of $points points scored by lepton-detect"
echo "in: $points points from query_range -> forecasts for 3 series, every point scored"

# --- out: --textfile from forecast, detect and schedule into the exporter
lepton-forecast --horizon 10 --textfile "$work/textfile/lepton_forecast.prom" "$work/points.ndjson" >/dev/null
lepton-detect --alerts --textfile "$work/textfile/lepton_detect.prom" "$work/points.ndjson" >/dev/null
printf '%s\n' '{"kind":"node","node":"n1","capacity":{"cpu":4}}' '{"kind":"node","node":"n2","capacity":{"cpu":4}}' \
  '{"kind":"task","task":"web","request":{"cpu":1},"replicas":3}' |
  lepton-schedule --textfile "$work/textfile/lepton_schedule.prom" >/dev/null
metrics=$(curl -sf "http://127.0.0.1:$ne_port/metrics")
grep -q 'node_textfile_scrape_error 0' <<<"$metrics" || fail "node_exporter could not read the textfiles"
for family in lepton_forecast_value lepton_forecast_hi lepton_detect_score lepton_schedule_replicas; do
  grep -q "^$family{" <<<"$metrics" || fail "node_exporter does not serve $family"
done
# Prometheus scrapes them within a few intervals.
for _ in $(seq 40); do
  got=$(curl -sf "$api/query?query=count(lepton_forecast_value)" | jq -r '.data.result[0].value[1] // 0')
  [ "$got" -ge 30 ] && break
  sleep 0.5
done
[ "$got" -ge 30 ] || fail "prometheus ingested $got lepton_forecast_value samples, want 30"
replicas=$(curl -sf "$api/query?query=sum(lepton_schedule_replicas%7Btask%3D%22web%22%7D)" | jq -r '.data.result[0].value[1] // 0')
[ "$replicas" = 3 ] || fail "prometheus sees $replicas replicas of web, want 3"
curl -sf "$api/query?query=lepton_detect_score" | jq -e '.data.result | length > 0' >/dev/null ||
  fail "prometheus has no lepton_detect_score"
echo "out: node_exporter serves and prometheus ingests the forecast, detect and schedule textfiles"
echo "prometheus round trip: ok"
