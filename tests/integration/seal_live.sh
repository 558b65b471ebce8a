#!/usr/bin/env bash
# Live streams through lepton-seal: a sealed log written with --flush-every
# is readable up to its last chunk while the writer still runs (open writes
# the verified records, then reports the missing final chunk); SIGTERM
# closes a sealed stream properly; sign --interval checkpoints a quiet
# stream on time and the final checkpoint comes when the input ends.
set -euo pipefail
bin=$(cd "$1" && pwd)
seal="$bin/lepton-seal"
[ -x "$seal" ] || { echo "no $seal"; exit 77; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
fail() { echo "seal_live: $*" >&2; exit 1; }

"$seal" keygen -o id.key > id.pub

# 1. seal --flush-every: five records arrive, then the writer goes quiet.
mkfifo feed
( for i in 1 2 3 4 5; do echo "{\"ts\":$i,\"metric\":\"m\",\"value\":$i}"; sleep 0.1; done; sleep 8 ) > feed &
pids+=($!)
writer=$!
"$seal" seal -r id.pub --flush-every 0.3s -o live.lseal < feed &
pids+=($!)
sealer=$!
ok=0
for _ in $(seq 1 50); do
  sleep 0.2
  set +e
  "$seal" open -i id.key live.lseal > partial.out 2> partial.err
  rc=$?
  set -e
  if [ "$(wc -l < partial.out)" -eq 5 ]; then ok=1; break; fi
done
[ $ok -eq 1 ] || fail "live sealed log did not show 5 records while open (got $(wc -l < partial.out)): $(cat partial.err)"
[ "$rc" -eq 1 ] || fail "opening a live log should end with status 1, got $rc"
grep -q 'without the final chunk' partial.err || fail "no truncation message: $(cat partial.err)"
kill -0 "$writer" 2>/dev/null || fail "writer ended too early for the test to mean anything"

# 2. SIGTERM ends the sealer with a complete stream.
kill -TERM "$sealer"
wait "$sealer" || fail "sealer exited with $? after SIGTERM"
"$seal" open -i id.key live.lseal > full.out || fail "stream closed by SIGTERM does not open"
[ "$(wc -l < full.out)" -eq 5 ] || fail "closed stream has $(wc -l < full.out) records"
kill "$writer" 2>/dev/null || true

# 3. sign --interval: three records, a quiet pause, then the end.
mkfifo feed2
( for i in 1 2 3; do echo "{\"ts\":$i,\"event\":\"login\"}"; done; sleep 3; echo '{"ts":4,"event":"logout"}' ) > feed2 &
pids+=($!)
"$seal" sign -i id.key -n 0 --interval 0.5s -o audit.log < feed2 &
pids+=($!)
signer=$!
ok=0
for _ in $(seq 1 25); do
  sleep 0.1
  if [ "$(grep -c '^{"kind":"checkpoint"' audit.log || true)" -ge 2 ]; then ok=1; break; fi
done
[ $ok -eq 1 ] || fail "no timed checkpoint within 2.5 s: $(cat audit.log)"
set +e
"$seal" verify -q -k id.pub audit.log 2> mid.err
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q 'cut after this checkpoint' mid.err || fail "mid-run verify: status $rc, $(cat mid.err)"
wait "$signer" || fail "signer failed"
"$seal" verify -q -k id.pub audit.log || fail "finished signed log does not verify"
[ "$(grep -vc '^{"kind":"checkpoint"' audit.log)" -eq 4 ] || fail "records lost"
echo "seal_live: ok"
