#!/usr/bin/env bash
# Tracking benchmark: the real `mlflow server` (SQLite backend, proxied artifacts, its default workers) and
# `pharos server` receive the same workload from the real mlflow client, in one run on this machine.
# Prints a table with each system's time, throughput and the ratio.
#   bash bench/tracking/run.sh            # the full workload from the issue (takes a while: mlflow is slow)
#   BENCH_SCALE=quick bash bench/tracking/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="$(bash scripts/pyenv.sh)"; VENV_BIN="$(dirname "$PY")"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
work="$(mktemp -d /tmp/pharos-bench-tracking.XXXX)"
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 600); do curl -sf "$1/health" >/dev/null && return 0; sleep 0.5; done; echo "server $1 did not start" >&2; exit 1; }

if [ "${BENCH_SCALE:-full}" = quick ]; then
  RUNS=20; METRICS=50; STEPS=100; SINGLE=200; SEARCH_SIZES="1000 10000"; HISTORY=10000; REPEAT=5
else
  RUNS=200; METRICS=50; STEPS=100; SINGLE=1000; SEARCH_SIZES="10000 100000"; HISTORY=100000; REPEAT=3
fi

mp=$(free_port); pp=$(free_port)
mkdir -p "$work/mlflow" "$work/pharos"
setsid "$VENV_BIN/mlflow" server --backend-store-uri "sqlite:///$work/mlflow/mlflow.db" --artifacts-destination "$work/mlflow/artifacts" \
  --host 127.0.0.1 --port "$mp" >"$work/mlflow.log" 2>&1 &
mlflow_pid=$!
setsid node bin/pharos.js server --port "$pp" --data-dir "$work/pharos" >"$work/pharos.log" 2>&1 &
pharos_pid=$!
trap 'kill -- -$mlflow_pid -$pharos_pid 2>/dev/null; true' EXIT
wait_up "http://127.0.0.1:$mp"; wait_up "http://127.0.0.1:$pp"

results="$work/results.jsonl"
# CPU seconds (user+sys) used so far by every live process of a server's session (mlflow's workers included).
server_cpu() {
  local total=0 t
  for pid in $(ps -o pid= -s "$1"); do
    t=$(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null || echo 0); total=$((total + t))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t/hz}'
}
run_phase() { # system url phase args...
  local system=$1 url=$2; shift 2
  echo "  $system: $*" >&2
  local sid=$mlflow_pid; [ "$system" = pharos ] && sid=$pharos_pid
  local c0; c0=$(server_cpu "$sid")
  MLFLOW_HTTP_REQUEST_TIMEOUT=${BENCH_HTTP_TIMEOUT:-3600} MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 GIT_PYTHON_REFRESH=quiet "$PY" bench/tracking/workload.py "$url" "$@" | grep "^{" | sed "s/^{/{\"system\": \"$system\", \"server_cpu\": CPU_PLACEHOLDER, /" >"$work/line.json"
  local c1; c1=$(server_cpu "$sid")
  sed "s/CPU_PLACEHOLDER/$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b-a}')/" "$work/line.json" | tee -a "$results" >&2
}
for system in mlflow pharos; do
  if [ $system = mlflow ]; then url="http://127.0.0.1:$mp"; db="$work/mlflow/mlflow.db"; else url="http://127.0.0.1:$pp"; db="$work/pharos/pharos.db"; fi
  echo "== $system" >&2
  run_phase $system "$url" ingest_batch $RUNS $METRICS $STEPS
  run_phase $system "$url" log_metric $SINGLE
  for n in $SEARCH_SIZES; do
    exp=$(MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 "$PY" bench/tracking/workload.py "$url" seed_search "$n" "$db" $system | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["experiment_id"])')
    # mlflow server takes minutes for one search over 100k runs: one timed search (after the warm-up) there.
    rep=$REPEAT; [ "$n" -ge 100000 ] && rep=${BENCH_BIG_SEARCH_REPEAT:-1}
    run_phase $system "$url" search "$exp" $rep
    sed -i "\$s/\"phase\": \"search\"/\"phase\": \"search $n runs\"/" "$results"
  done
  run_phase $system "$url" history $HISTORY $REPEAT
done

"$PY" - "$results" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["phase"], {})[r["system"]] = r
label = {"ingest_batch": "log_batch ingest", "log_metric": "single log_metric", "history": "get_metric_history"}
print()
print(f"| workload | mlflow server | pharos server | mlflow throughput | pharos throughput | speed-up | server CPU mlflow / pharos | server CPU ratio |")
print(f"|---|---:|---:|---:|---:|---:|---:|---:|")
for phase, sysmap in by.items():
    m, p = sysmap.get("mlflow"), sysmap.get("pharos")
    if not m or not p: continue
    unit = m.get("unit", "")
    name = label.get(phase, phase)
    if phase.startswith("search"):
        detail = f"{name} (filter + order, 100 per page, x{m['count']})"
    elif phase == "history":
        detail = f"{name} ({m['points']:,} points, x{m['count']})"
    else:
        detail = f"{name} ({m['count']:,} {unit})"
    print(f"| {detail} | {m['seconds']:.2f} s | {p['seconds']:.2f} s | {m['count']/m['seconds']:,.1f} {unit}/s | {p['count']/p['seconds']:,.1f} {unit}/s | {m['seconds']/p['seconds']:.1f}x | {m['server_cpu']:.2f} s / {p['server_cpu']:.2f} s | {m['server_cpu']/max(p['server_cpu'], 0.01):.1f}x |")
print()
print("Wall time includes the mlflow Python client's own work (building and serialising each request), the same for both")
print("servers; server CPU is what each server's processes used during the whole phase (all of mlflow's workers included),")
print("untimed parts too: the warm-up search, and for the history the logging of the points before they are read.")
PYEOF
