#!/usr/bin/env bash
# Serving benchmark: one scikit-learn RandomForest (100 trees, 20 features) served by `mlflow models serve` (pyfunc,
# --env-manager local) and by Pharos (ONNX), next to the floors (a bare Node echo server; onnxruntime in a loop).
# wrk (or autocannon: BENCH_LOAD=autocannon) at 1, 8, 32 and 128 connections; prints req/s, p50, p99 and the ratios
# in one table.
#   bash bench/serving/run.sh                     # ~5 s a cell
#   BENCH_DURATION=2 BENCH_SYSTEMS=bare-http,onnxruntime bash bench/serving/run.sh
#   BENCH_PHAROS_ARGS="--workers 0" bash bench/serving/run.sh     # explore `pharos serve` settings (default: its defaults)
# Systems: mlflow, pharos (its defaults), pharos-cluster (+ --processes auto), pharos-nobatch (pharos +
# --max-batch-size 1: the batching gain), bare-http, onnxruntime.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="$(bash scripts/pyenv.sh)"
[ -d node_modules ] || npm ci --no-audit --no-fund
if [ "${BENCH_LOAD:-wrk}" = wrk ] && ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get install -y wrk >/dev/null 2>&1 || { $sudo_ apt-get update >/dev/null 2>&1 && $sudo_ apt-get install -y wrk >/dev/null; }
fi
# Pharos runs compiled, as in production; built into a private folder so a shared dist/ is never half-rebuilt under us.
build=".cache/bench-serving-dist"
rm -rf "$build"
npx tsc -p tsconfig.build.json --outDir "$build" || { echo "build failed" >&2; exit 1; }
work="$(mktemp -d /tmp/pharos-bench-serving.XXXX)"
trap 'rm -rf "$work"' EXIT
echo "training the model and exporting it (MLflow pyfunc + ONNX) into $work" >&2
GIT_PYTHON_REFRESH=quiet "$PY" bench/serving/make_model.py "$work" >/dev/null 2>"$work/make_model.log" || { cat "$work/make_model.log" >&2; exit 1; }
node --import tsx bench/serving/bench.ts --model-dir "$work" --python "$PY" --pharos-main "$build/cli/main.js" \
  --duration "${BENCH_DURATION:-5}" --connections "${BENCH_CONNECTIONS:-1,8,32,128}" \
  --systems "${BENCH_SYSTEMS:-mlflow,pharos,pharos-cluster,pharos-nobatch,bare-http,onnxruntime}" --pharos-args="${BENCH_PHAROS_ARGS:-}" \
  --load "${BENCH_LOAD:-wrk}" ${BENCH_OUT:+--out "$BENCH_OUT"}
