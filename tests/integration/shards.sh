#!/usr/bin/env bash
# The scale-out recipe of the README: the same input run as N shards in
# parallel with GNU parallel (--shard K/N) and merged gives exactly the
# records of one process (compared order-insensitively), for lepton-forecast
# and lepton-detect. Records that are not points come out of shard 0 only,
# so the merge has no duplicates.
set -euo pipefail
bin=$(cd "${1:?bin dir}" && pwd)
src=${LEPTON_SOURCE_DIR:?}
command -v parallel >/dev/null || { echo "skip: GNU parallel is not installed"; exit 77; }
export PATH="$bin:$PATH"
input=$src/tests/fixtures/shards/points.ndjson
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() {  # name, command (reads $input, takes --shard)
  local name=$1 cmd=$2 n
  sh -c "$cmd" <"$input" | sort >"$work/$name.single"
  for n in 2 3 4; do
    seq 0 $((n - 1)) | parallel --will-cite -j "$n" "$cmd --shard {}/$n < '$input' > '$work/$name.$n.{}'"
    sort "$work/$name.$n".* >"$work/$name.merged"
    if ! cmp -s "$work/$name.single" "$work/$name.merged"; then
      echo "FAIL $name with $n shards differs from one process:"
      diff "$work/$name.single" "$work/$name.merged" | head -5 || true
      fail=1
    fi
    # Each series lives in exactly one shard.
    for k in $(seq 0 $((n - 1))); do
      [ -s "$work/$name.$n.$k" ] || { echo "FAIL $name: shard $k/$n is empty"; fail=1; }
    done
  done
  echo "$name: $(wc -l <"$work/$name.single") records, identical as 2, 3 and 4 shards"
}
check forecast "lepton-forecast --horizon 12 --threads 1"
check detect "lepton-detect"
check alerts "lepton-detect --alerts"
exit $fail
