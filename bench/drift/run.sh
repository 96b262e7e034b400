#!/usr/bin/env bash
# Drift benchmark (not part of npm test): Pharos vs Evidently 0.7 DataDriftPreset on the same
# 100,000 x 50 Parquet pair, plus a 10M-row streaming sketch summary. Prints one table.
#   bash bench/drift/run.sh [out-dir]          ROWS=... SKETCH_ROWS=... to change the sizes
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-/tmp/pharos-drift-bench}"
rows="${ROWS:-100000}"
sketch_rows="${SKETCH_ROWS:-10000000}"
mkdir -p "$out"
py="$(bash scripts/pyenv.sh)"

echo "generating $rows-row reference/current Parquet files in $out ..." >&2
node --import tsx bench/drift/generate.ts --rows "$rows" --out "$out" --seed 42 >/dev/null

# Each tool in its own process, one after the other, so neither competes with the other for CPU.
echo "Pharos ..." >&2
/usr/bin/time -f '%e %M' -o "$out/pharos.time" node --import tsx bench/drift/pharos_run.ts "$out" >"$out/pharos.json"
echo "Evidently ..." >&2
/usr/bin/time -f '%e %M' -o "$out/evidently.time" "$py" bench/drift/evidently_run.py "$out" >"$out/evidently.json" 2>"$out/evidently.stderr"
echo "sketch over $sketch_rows rows ..." >&2
/usr/bin/time -f '%e %M' -o "$out/sketch.time" node --import tsx bench/drift/sketch_10m.ts "$sketch_rows" >"$out/sketch.json"

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" 
node --import tsx bench/drift/compare.ts "$out"
