#!/usr/bin/env bash
# Drift benchmark (not part of npm test): Pharos vs Evidently 0.7 DataDriftPreset on the same
# 100,000 x 50 Parquet pair, plus a 10M-row streaming sketch summary. Prints one table.
#   flock /tmp/pharos-bench.lock bash bench/drift/run.sh [out-dir]
#   ROWS=... SKETCH_ROWS=... to change the sizes; REPEAT=n runs of each side (default 3, median kept)
#
# Both sides are measured the same way, each as shipped: Pharos as compiled JavaScript (tsc output,
# like `npm run build`; no TypeScript transpiling at run time), Evidently from its installed
# bytecode. Per run: the whole process from exec to exit (/usr/bin/time: interpreter start-up,
# imports, reading both files, the report, writing the result) and, inside the process, the read
# and the drift computation separately. The two tools run one after the other, never together.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
out="${1:-/tmp/pharos-drift-bench}"
rows="${ROWS:-100000}"
sketch_rows="${SKETCH_ROWS:-10000000}"
repeat="${REPEAT:-3}"
mkdir -p "$out"
py="$(bash scripts/pyenv.sh)"

echo "compiling the Pharos side to JavaScript in $out/build ..." >&2
rm -rf "$out/build"
mkdir -p "$out/build"
cat >"$out/build/tsconfig.json" <<EOF
{
  "extends": "$root/tsconfig.json",
  "compilerOptions": { "noEmit": false, "noCheck": true, "rootDir": "$root", "outDir": "$out/build",
                       "declaration": false, "sourceMap": false },
  "include": [],
  "files": ["$root/bench/drift/generate.ts", "$root/bench/drift/pharos_run.ts", "$root/bench/drift/sketch_10m.ts"]
}
EOF
npx --no-install tsc -p "$out/build/tsconfig.json"
echo '{ "type": "module" }' >"$out/build/package.json"
ln -sfn "$root/node_modules" "$out/build/node_modules"
js="$out/build/bench/drift"

echo "generating $rows-row reference/current Parquet files in $out ..." >&2
node "$js/generate.js" --rows "$rows" --out "$out" --seed 42 >/dev/null

# /usr/bin/time: wall seconds, max RSS KB, user and system CPU seconds of the whole process
timefmt='%e %M %U %S'
rm -f "$out"/pharos-*.json "$out"/pharos-*.time "$out"/evidently-*.json "$out"/evidently-*.time
for i in $(seq 1 "$repeat"); do
  echo "Pharos run $i/$repeat ..." >&2
  /usr/bin/time -f "$timefmt" -o "$out/pharos-$i.time" node "$js/pharos_run.js" "$out" >"$out/pharos-$i.json"
done
for i in $(seq 1 "$repeat"); do
  echo "Evidently run $i/$repeat ..." >&2
  /usr/bin/time -f "$timefmt" -o "$out/evidently-$i.time" "$py" bench/drift/evidently_run.py "$out" >"$out/evidently-$i.json" 2>"$out/evidently-$i.stderr"
done
echo "sketch over $sketch_rows rows ..." >&2
/usr/bin/time -f "$timefmt" -o "$out/sketch.time" node "$js/sketch_10m.js" "$sketch_rows" >"$out/sketch.json"

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); node $(node --version), $("$py" --version)"
node --import tsx bench/drift/compare.ts "$out" "$repeat"
