#!/usr/bin/env bash
# npm start: install if needed, build, run the server with the embedded store, then (unless
# PHAROS_QUICKSTART=0) run `pharos quickstart` against it. The server stays in the foreground; Ctrl-C stops it.
#   PORT=5000  PHAROS_DATA_DIR=pharos-data  PHAROS_QUICKSTART=1   (extra arguments go to `pharos server`)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent

port="${PORT:-5000}"
data_dir="${PHAROS_DATA_DIR:-pharos-data}"
url="http://127.0.0.1:${port}"

node bin/pharos.js server --host 127.0.0.1 --port "$port" --data-dir "$data_dir" "$@" &
server=$!
# A background job of a script ignores Ctrl-C's SIGINT: pass it on as SIGTERM, which the server handles by closing cleanly.
stop() {
  trap - INT TERM
  if kill -0 "$server" 2>/dev/null; then
    echo
    echo "stopping Pharos..."
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  exit 0
}
trap stop INT TERM

healthy() { node -e "fetch('${url}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; }
for _ in $(seq 1 120); do
  healthy && break
  if ! kill -0 "$server" 2>/dev/null; then
    wait "$server" || true
    echo "error: the Pharos server exited before it was healthy (is port ${port} in use? set PORT=...)" >&2
    exit 1
  fi
  sleep 0.5
done
if ! healthy; then
  echo "error: the Pharos server did not answer ${url}/health within 60 s" >&2
  kill -TERM "$server" 2>/dev/null || true
  exit 1
fi

if [ "${PHAROS_QUICKSTART:-1}" != "0" ]; then
  echo
  echo "Running the quickstart (PHAROS_QUICKSTART=0 skips it). The first run creates a Python environment with"
  echo "mlflow and scikit-learn, which takes a few minutes."
  node bin/pharos.js quickstart --url "$url" --work-dir "${data_dir}/quickstart" ||
    echo "The quickstart did not finish (see above); the server keeps running."
fi

echo
echo "Pharos is running at ${url} (data in ${data_dir}). Point mlflow at it: export MLFLOW_TRACKING_URI=${url}"
echo "API docs ${url}/docs, metrics ${url}/metrics. Ctrl-C stops it."
wait "$server"
