#!/usr/bin/env bash
# scripts/plot renders a committed fixture (points, annotated anomalies,
# alerts, a forecast band) into valid PNGs of the requested size, as a grid
# and one image per series.
set -euo pipefail
src=${LEPTON_SOURCE_DIR:?}
command -v gnuplot >/dev/null || { echo "gnuplot missing"; exit 77; }
command -v jq >/dev/null || { echo "jq missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Width and height from the PNG signature and IHDR chunk.
png_size() {
  local sig
  sig=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
  [ "$sig" = 89504e470d0a1a0a ] || { echo "not a PNG: $1" >&2; return 1; }
  [ "$(od -An -c -j12 -N4 "$1" | tr -d ' \n')" = IHDR ] || { echo "no IHDR: $1" >&2; return 1; }
  echo "$(( 16#$(od -An -tx1 -j16 -N4 "$1" | tr -d ' \n') ))x$(( 16#$(od -An -tx1 -j20 -N4 "$1" | tr -d ' \n') ))"
}

"$src/scripts/plot" --grid --size 900x450 -o "$work/grid.png" "$src/tests/fixtures/plot/stream.ndjson" >/dev/null
[ "$(png_size "$work/grid.png")" = 900x450 ] || { echo "grid: wrong size $(png_size "$work/grid.png")"; exit 1; }

"$src/scripts/plot" --per-series "$work/each" --size 640x320 <"$src/tests/fixtures/plot/stream.ndjson" >"$work/list"
[ "$(wc -l <"$work/list")" -eq 2 ] || { echo "per-series: want 2 images"; cat "$work/list"; exit 1; }
while read -r f; do
  [ "$(png_size "$f")" = 640x320 ] || { echo "per-series: $f wrong size"; exit 1; }
done <"$work/list"

# Errors are reported, not rendered.
if "$src/scripts/plot" --size big "$src/tests/fixtures/plot/stream.ndjson" 2>"$work/err"; then
  echo "bad --size accepted"; exit 1
fi
grep -q "size takes WxH" "$work/err"
if echo '{"kind":"node"}' | "$src/scripts/plot" -o "$work/none.png" 2>"$work/err"; then
  echo "empty input accepted"; exit 1
fi
grep -q "no series" "$work/err"
echo "plot: ok"
