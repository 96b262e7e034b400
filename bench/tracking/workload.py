"""Tracking benchmark workload, run with the real mlflow client against one server.

Usage: python workload.py <tracking_uri> <phase> [args]
Phases print one JSON line: {"phase", "seconds", "count", ...}.
  ingest_batch RUNS METRICS STEPS   log_batch ingest (1000 metrics per call, MLflow's limit)
  log_metric N                       N single log_metric calls on one run
  seed_search N DB FLAVOR            create an experiment, bulk-insert N runs with a metric straight into the
                                     server's SQLite file (same rows for both systems; seeding is not measured)
  search EXP_ID REPEAT               search_runs with a metric filter and order, first page of 100, REPEAT times
  history STEPS REPEAT               log a STEPS-long metric then time get_metric_history REPEAT times
"""
import json, random, sqlite3, sys, time, uuid

import mlflow
from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

uri, phase = sys.argv[1], sys.argv[2]
mlflow.set_tracking_uri(uri)
client = MlflowClient(uri)


def out(**kw):
    print(json.dumps({"phase": phase, **kw}), flush=True)


def new_run(exp_name):
    exp = client.get_experiment_by_name(exp_name)
    exp_id = exp.experiment_id if exp else client.create_experiment(exp_name)
    return exp_id, client.create_run(exp_id).info.run_id


if phase == "ingest_batch":
    runs, metrics, steps = map(int, sys.argv[3:6])
    exp = client.create_experiment(f"ingest-{uuid.uuid4().hex[:8]}")
    ts = int(time.time() * 1000)
    t0 = time.perf_counter()
    for r in range(runs):
        run_id = client.create_run(exp).info.run_id
        batch = []
        for s in range(steps):
            for m in range(metrics):
                batch.append(Metric(f"m{m}", random.random(), ts + s, s))
                if len(batch) == 1000:
                    client.log_batch(run_id, metrics=batch)
                    batch = []
        if batch:
            client.log_batch(run_id, metrics=batch)
        client.set_terminated(run_id)
    dt = time.perf_counter() - t0
    out(seconds=dt, count=runs * metrics * steps, unit="metric points")

elif phase == "log_metric":
    n = int(sys.argv[3])
    _, run_id = new_run(f"single-{uuid.uuid4().hex[:8]}")
    t0 = time.perf_counter()
    for i in range(n):
        client.log_metric(run_id, "loss", 1.0 / (i + 1), step=i)
    out(seconds=time.perf_counter() - t0, count=n, unit="calls")

elif phase == "seed_search":
    n, db, flavor = int(sys.argv[3]), sys.argv[4], sys.argv[5]
    exp_id = client.create_experiment(f"search-{n}-{uuid.uuid4().hex[:8]}")
    rng = random.Random(42)
    con = sqlite3.connect(db, timeout=60)
    ts = int(time.time() * 1000)
    runs, latest, metrics, tags = [], [], [], []
    for i in range(n):
        rid = uuid.uuid4().hex
        acc = rng.random()
        art = f"mlflow-artifacts:/{exp_id}/{rid}/artifacts"
        if flavor == "mlflow":
            runs.append((rid, f"run-{i}", "UNKNOWN", "", "", "bench", "FINISHED", ts + i, ts + i + 1, "", "active", art, int(exp_id), None))
        else:
            runs.append((rid, int(exp_id), f"run-{i}", "bench", "FINISHED", ts + i, ts + i + 1, None, "active", art))
        latest.append(("acc", acc, ts, 0, 0, rid))
        metrics.append(("acc", acc, ts, rid, 0, 0))
        tags.append(("mlflow.runName", f"run-{i}", rid))
    with con:
        if flavor == "mlflow":
            con.executemany("INSERT INTO runs (run_uuid,name,source_type,source_name,entry_point_name,user_id,status,start_time,end_time,source_version,lifecycle_stage,artifact_uri,experiment_id,deleted_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", runs)
            con.executemany("INSERT INTO latest_metrics (key,value,timestamp,step,is_nan,run_uuid) VALUES (?,?,?,?,?,?)", latest)
            con.executemany("INSERT INTO metrics (key,value,timestamp,run_uuid,step,is_nan) VALUES (?,?,?,?,?,?)", metrics)
            con.executemany("INSERT INTO tags (key,value,run_uuid) VALUES (?,?,?)", tags)
        else:
            con.executemany("INSERT INTO runs (run_uuid,experiment_id,name,user_id,status,start_time,end_time,deleted_time,lifecycle_stage,artifact_uri) VALUES (?,?,?,?,?,?,?,?,?,?)", runs)
            con.executemany("INSERT INTO latest_metrics (key,value,timestamp,step,is_nan,run_uuid) VALUES (?,?,?,?,?,?)", latest)
            con.executemany("INSERT INTO metrics (key,value,timestamp,run_uuid,step,is_nan) VALUES (?,?,?,?,?,?)", metrics)
            con.executemany("INSERT INTO run_tags (key,value,run_uuid) VALUES (?,?,?)", tags)
    con.close()
    out(experiment_id=str(exp_id), count=n)

elif phase == "search":
    exp_id, repeat = sys.argv[3], int(sys.argv[4])
    client.search_runs([exp_id], "metrics.acc > 0.5", order_by=["metrics.acc DESC"], max_results=100)  # warm-up
    t0 = time.perf_counter()
    for _ in range(repeat):
        res = client.search_runs([exp_id], "metrics.acc > 0.5", order_by=["metrics.acc DESC"], max_results=100)
    dt = time.perf_counter() - t0
    accs = [r.data.metrics["acc"] for r in res]
    assert len(res) == 100 and accs == sorted(accs, reverse=True) and accs[-1] > 0.5, "wrong search result"
    out(seconds=dt, count=repeat, unit="searches", top=accs[0])

elif phase == "history":
    steps, repeat = int(sys.argv[3]), int(sys.argv[4])
    _, run_id = new_run(f"history-{uuid.uuid4().hex[:8]}")
    ts = int(time.time() * 1000)
    for start in range(0, steps, 1000):
        client.log_batch(run_id, metrics=[Metric("loss", 1.0 / (s + 1), ts + s, s) for s in range(start, min(steps, start + 1000))])
    t0 = time.perf_counter()
    for _ in range(repeat):
        hist = client.get_metric_history(run_id, "loss")
    dt = time.perf_counter() - t0
    assert len(hist) == steps, f"history has {len(hist)} points, expected {steps}"
    out(seconds=dt, count=repeat, unit="history reads", points=len(hist))
else:
    raise SystemExit(f"unknown phase {phase}")
