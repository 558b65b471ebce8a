#!/usr/bin/env bash
# Long batch runs draw a progress bar on standard error when it is a
# terminal and stay silent otherwise: lepton-forecast over a few thousand
# series, lepton-schedule over many replicas and over several .vbp
# instances. Each runs under a pseudo-terminal (util-linux script) with
# stdout to a file and stderr on the terminal: the terminal shows the bar
# (label, percentage, carriage returns) and ends with the bar's line
# cleared; stdout is the same as without a terminal, where stderr is empty.
set -euo pipefail
bin=$(cd "${1:?bin dir}" && pwd)
src=${LEPTON_SOURCE_DIR:?}
command -v script >/dev/null || { echo "skip: script (util-linux, package bsdutils) is not installed"; exit 77; }
script -qec true /dev/null </dev/null >/dev/null 2>&1 ||
  { echo "skip: script -qec cannot open a pseudo-terminal here"; exit 77; }
export PATH="$bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# Drops the timings of lepton-schedule's summary records (they differ
# between two runs); lepton-forecast's output is compared byte for byte.
untimed() {
  case $1 in
    */schedule*) sed -E 's/,"seconds":[0-9.e+-]+(,"cpu_seconds":[0-9.e+-]+)?//' "$1" ;;
    *) cat "$1" ;;
  esac
}

# name, label, command (writes to stdout); $work/$name.{term,tty,plain,err}.
check() {
  local name=$1 label=$2 cmd=$3 term=$work/$1.term
  # On the terminal: stderr goes to the pty, stdout to a file.
  local start end
  start=$(date +%s.%N)
  script -qec "$cmd 2>&1 >'$work/$name.tty'" /dev/null </dev/null >"$term" ||
    { echo "FAIL $name: exit status $? under a terminal"; fail=1; return; }
  end=$(date +%s.%N)
  # Without a terminal.
  sh -c "$cmd" >"$work/$name.plain" 2>"$work/$name.err" </dev/null ||
    { echo "FAIL $name: exit status $? without a terminal"; fail=1; return; }
  local ok=1
  if ! grep -qF "$label [" "$term"; then
    echo "FAIL $name: no '$label [' bar on the terminal"
    ok=0
  fi
  if ! grep -qE '[0-9]+/[0-9]+ \([0-9]+%\)' "$term"; then
    echo "FAIL $name: no 'done/total (N%)' on the terminal"
    ok=0
  fi
  local draws returns
  draws=$(grep -oF '%)' "$term" | wc -l)
  returns=$(tr -cd '\r' <"$term" | wc -c)
  if [ "$returns" -lt $((draws + 2)) ]; then
    echo "FAIL $name: $draws drawings but $returns carriage returns"
    ok=0
  fi
  # At most ten drawings a second (plus the first and the last).
  local seconds
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  if ! awk -v n="$draws" -v t="$seconds" 'BEGIN { exit !(n <= 10 * t + 2) }'; then
    echo "FAIL $name: $draws drawings in $seconds s"
    ok=0
  fi
  # After the last bar, only its line blanked: CR, spaces, CR.
  local text rest
  text=$(cat "$term" && echo .)
  rest=${text%.}
  rest=${rest##*%)}
  if ! [[ $rest =~ ^$'\r'\ +$'\r'$ ]]; then
    echo "FAIL $name: the bar's line is not cleared at the end:"
    printf '%s' "$rest" | od -c | head -5
    ok=0
  fi
  # Nothing of stdout reaches the terminal.
  if grep -q '{' "$term"; then
    echo "FAIL $name: output records on the terminal"
    ok=0
  fi
  if ! cmp -s <(untimed "$work/$name.tty") <(untimed "$work/$name.plain"); then
    echo "FAIL $name: stdout differs with a terminal on stderr:"
    diff <(untimed "$work/$name.tty") <(untimed "$work/$name.plain") | head -5 || true
    ok=0
  fi
  if [ ! -s "$work/$name.plain" ]; then
    echo "FAIL $name: no output"
    ok=0
  fi
  if [ -s "$work/$name.err" ]; then
    echo "FAIL $name: stderr is not empty without a terminal:"
    head -c 300 "$work/$name.err"
    ok=0
  fi
  if [ $ok -eq 1 ]; then
    echo "$name: bar drawn $draws times in $seconds s on the terminal, none without; $(wc -l <"$work/$name.plain") output lines"
  else
    fail=1
  fi
}

# 3000 series of 48 points.
awk 'BEGIN {
  for (s = 0; s < 3000; s++)
    for (t = 0; t < 48; t++)
      printf "{\"ts\":%d,\"metric\":\"cpu.util\",\"host\":\"h%d\",\"value\":%.4f}\n",
        1795300000 + 60 * t, s, 0.3 + 0.1 * (s % 5) + 0.05 * sin(t / 4 + s)
}' >"$work/points.ndjson"
check forecast "lepton-forecast: fitting" "lepton-forecast --horizon 6 --threads 4 '$work/points.ndjson'"
check forecast-1thread "lepton-forecast: fitting" "lepton-forecast --horizon 6 --threads 1 '$work/points.ndjson'"

# 40000 replicas on 8000 nodes; no local search, so both runs agree.
awk 'BEGIN {
  printf "{\"kind\":\"node\",\"node\":\"n\",\"capacity\":{\"cpu\":32,\"mem_gib\":128},\"count\":8000}\n"
  for (i = 0; i < 20000; i++)
    printf "{\"kind\":\"task\",\"task\":\"t%d\",\"request\":{\"cpu\":%d,\"mem_gib\":%d},\"replicas\":%d}\n",
      i, 1 + i % 7, 1 + i % 13, 1 + i % 3
}' >"$work/tasks.ndjson"
check schedule "lepton-schedule: placing" \
  "lepton-schedule --objective spread --time-limit 0 '$work/tasks.ndjson'"

# Several vector bin packing instances.
for i in 1 2 3 4 5 6; do cp "$src/tests/fixtures/schedule/tiny.vbp" "$work/inst$i.vbp"; done
check schedule-vbp "lepton-schedule: instances" \
  "lepton-schedule --from vbp --time-limit 0 '$work'/inst?.vbp"

exit $fail
