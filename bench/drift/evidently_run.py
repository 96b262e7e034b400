"""Evidently side of the drift benchmark: Evidently 0.7 DataDriftPreset on the same Parquet files.

Prints JSON like pharos_run.ts: in-process wall time (read + report), peak RSS, per-column
method/score/verdict.  usage: python bench/drift/evidently_run.py <dir>
"""
import json
import re
import resource
import sys
import time

import pandas as pd
import pandas.core.dtypes.common as _pandas_common

# The pinned pandas 3.1 removed infer_dtype_from_object, which evidently 0.7.23 imports at module
# load (only its legacy data-integrity tests call it, not the drift path); restore a stand-in.
if not hasattr(_pandas_common, "infer_dtype_from_object"):
    _pandas_common.infer_dtype_from_object = lambda dtype: pd.api.types.pandas_dtype(dtype).type

from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp/pharos-drift-bench"
started = time.perf_counter()
cpu_started = time.process_time()
reference = pd.read_parquet(f"{directory}/reference.parquet")
current = pd.read_parquet(f"{directory}/current.parquet")
read = time.perf_counter()
numerical = [c for c in reference.columns if c.startswith("num_")]
categorical = [c for c in reference.columns if c.startswith("cat_")]
definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
snapshot = Report([DataDriftPreset()]).run(
    Dataset.from_pandas(current, data_definition=definition),
    Dataset.from_pandas(reference, data_definition=definition),
)
result = snapshot.dict()
done = time.perf_counter()
cpu_seconds = time.process_time() - cpu_started

columns = {}
n_drifted = None
for metric in result["metrics"]:
    name = metric["metric_name"]
    if name.startswith("DriftedColumnsCount"):
        n_drifted = metric["value"]["count"]
        continue
    m = re.match(r"ValueDrift\(column=(.*),method=(.*),threshold=(.*)\)$", name)
    if not m:
        continue
    column, method, threshold = m.group(1), m.group(2), float(m.group(3))
    score = float(metric["value"])
    # Evidently's comparisons: p-value tests drift below the threshold, distances at or above it
    # (KS and energy distance differ at equality only, which never happens with real data)
    drifted = score < threshold if "p_value" in method else score >= threshold
    columns[column] = {"method": method, "score": score, "threshold": threshold, "drifted": drifted}

print(json.dumps({
    "tool": "evidently",
    "readSeconds": read - started,
    "computeSeconds": done - read,
    "wallSeconds": done - started,
    "cpuSeconds": cpu_seconds,
    "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "nDrifted": n_drifted,
    "columns": columns,
}))
