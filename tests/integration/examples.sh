#!/usr/bin/env bash
# Exercises the operations examples under scripts/examples/ as far as this
# machine allows: systemd units verify with systemd-analyze; the sealed
# collector wrapper runs for real and stops cleanly on SIGTERM with a file
# that opens; the commands of the detect/forecast units and the cron lines
# run (shortened) twice, continuing from saved state; the Kubernetes
# DaemonSet parses and its container command runs against a host tree
# mounted at --root.
set -euo pipefail
bin=$(cd "${1:?bin dir}" && pwd)
src=${LEPTON_SOURCE_DIR:?}
ex=$src/scripts/examples
export PATH="$bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# --- systemd units
if command -v systemd-analyze >/dev/null; then
  mkdir units
  for f in "$ex"/systemd/*; do
    sed "s#/usr/local/bin/lepton-collect-sealed#$ex/lepton-collect-sealed#" "$f" >"units/$(basename "$f")"
  done
  (cd units && systemd-analyze verify --man=no ./*.service ./*.timer)
  echo "systemd units verify"
fi

# --- the sealed collector wrapper, stopped by SIGTERM mid-stream
lepton-seal keygen -o ops.key >ops.pub
cp ops.pub recipients
LEPTON_BIN=$bin LEPTON_FLUSH_EVERY=200ms "$ex/lepton-collect-sealed" sealed recipients --interval 0.2 --count 100000 \
  --metrics 'cpu.*,mem.*' &
pid=$!
sleep 2
kill -TERM $pid
wait $pid
files=(sealed/host-*.lseal)
[ ${#files[@]} -eq 1 ] || { echo "want one sealed file, got ${#files[@]}"; exit 1; }
lepton-seal open -i ops.key "${files[0]}" >opened.ndjson
lines=$(wc -l <opened.ndjson)
[ "$lines" -gt 0 ] || { echo "sealed file is empty"; exit 1; }
jq -s -e 'any(.[]; (.metric | test("^(cpu|mem)\\.")) | not)' opened.ndjson >/dev/null &&
  { echo "unexpected metric in sealed file"; exit 1; }
echo "sealed collector: $lines points, clean stop"
# A run that ends on its own (--count) also gives a complete file.
sleep 1  # a new second, so a new file name
LEPTON_BIN=$bin "$ex/lepton-collect-sealed" sealed recipients --interval 0 --count 2 --metrics 'load.*'
[ "$(ls sealed/host-*.lseal | wc -l)" -eq 2 ]
lepton-seal open -i ops.key "$(ls sealed/host-*.lseal | tail -1)" | jq -s -e 'any(.[]; .metric == "load.1m")' >/dev/null

# --- the detect unit's command, shortened, twice: state carries over
detect_cmd=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'$/\1/p" "$ex/systemd/lepton-detect.service")
detect_cmd=${detect_cmd//--interval 10s --count 30/--interval 0 --count 3}
mkdir -p state
STATE_DIRECTORY=$work/state sh -c "$detect_cmd"
[ -s state/detect.state ] || { echo "detect unit: no state written"; exit 1; }
cp state/detect.state state/first.state
STATE_DIRECTORY=$work/state sh -c "$detect_cmd"
cmp -s state/detect.state state/first.state && { echo "detect unit: state did not advance"; exit 1; }
echo "detect unit: state saved and continued"

# --- cron lines: run each command (fields 7+) with short intervals, three
# rounds a second apart (the hourly line needs more than one sample to forecast)
mkdir -p var
for round in 1 2 3; do
  grep -vE '^\s*(#|$)' "$ex/cron/lepton.cron" | while read -r _ _ _ _ _ user cmd; do
    [ "$user" = lepton ] || { echo "cron line without user field"; exit 1; }
    cmd=${cmd//\/var\/lib\/lepton/$work/var}
    cmd=${cmd//--interval 10s --count 29/--interval 0 --count 2}
    sh -c "$cmd"
  done
  [ "$round" = 3 ] || sleep 1
done
[ -s var/detect.state ] && [ -s var/fs.ndjson ] && [ -s var/fs-eta.ndjson ] || { echo "cron lines wrote nothing"; exit 1; }
jq -s -e 'any(.[]; .kind == "eta")' var/fs-eta.ndjson >/dev/null || { echo "cron forecast: no eta records"; exit 1; }
echo "cron lines run"

# --- Kubernetes DaemonSet: structure, then its command against a host tree
/usr/bin/python3 - "$ex/kubernetes/lepton-collect-daemonset.yaml" >k8s.args <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert doc["kind"] == "DaemonSet" and doc["apiVersion"] == "apps/v1"
spec = doc["spec"]["template"]["spec"]
c = spec["containers"][0]
mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
vols = {v["name"]: v["hostPath"]["path"] for v in spec["volumes"]}
args = c["args"]
root = args[args.index("--root") + 1]
assert vols[mounts[root + "/proc"]] == "/proc" and vols[mounts[root + "/sys"]] == "/sys"
assert all(m.get("readOnly") for m in c["volumeMounts"])
print("\n".join(c["command"] + args))
PY
mapfile -t k8s <k8s.args
for i in "${!k8s[@]}"; do
  [ "${k8s[$i]}" = /host ] && k8s[i]=$src/tests/fixtures/collect/v2-host
  k8s[i]=${k8s[$i]//\$(NODE_NAME)/node-a}
  [ "$i" -gt 0 ] && [ "${k8s[$((i - 1))]}" = --interval ] && k8s[i]=0
done
"${k8s[@]}" --count 1 >k8s.ndjson
jq -s -e 'any(.[]; .host != "node-a")' k8s.ndjson >/dev/null && { echo "daemonset: host label missing"; exit 1; }
jq -s -e 'any(.[]; .metric == "mem.total_bytes")' k8s.ndjson >/dev/null || { echo "daemonset: no memory point"; exit 1; }
echo "kubernetes daemonset: command runs against --root"
echo "examples: ok"
