"""Reference values for test/compat/drift-vs-evidently.test.ts.

Generates fixed-seed samples, computes scipy statistics and Evidently 0.7 DataDriftPreset results,
and writes data + expected values as JSON to the path in DRIFT_FIXTURES_OUT.
Non-finite floats are written as the strings "nan", "inf", "-inf".
"""
import json
import math
import os
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

# evidently 0.7.23 imports a helper that pandas 3 removed; it is only used by data-integrity tests.
import pandas.core.dtypes.common as _pdc  # noqa: E402

if not hasattr(_pdc, "infer_dtype_from_object"):
    _pdc.infer_dtype_from_object = lambda dtype: pd.api.types.pandas_dtype(dtype).type

from scipy import stats  # noqa: E402
from scipy.spatial import distance  # noqa: E402

import evidently  # noqa: E402
from evidently import Report  # noqa: E402
from evidently.core.datasets import infer_column_type  # noqa: E402
from evidently.legacy.core import ColumnType  # noqa: E402
from evidently.legacy.calculations.stattests.registry import get_stattest  # noqa: E402
from evidently.legacy.calculations.stattests.cramer_von_mises_stattest import _cvm_2samp  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402


def enc(values):
    out = []
    for v in values:
        if v is None:
            out.append(None)
        elif isinstance(v, (float, np.floating)):
            f = float(v)
            out.append("nan" if math.isnan(f) else "inf" if f == math.inf else "-inf" if f == -math.inf else f)
        elif isinstance(v, (np.integer,)):
            out.append(int(v))
        else:
            out.append(v)
    return out


def num(x):
    x = float(x)
    return "nan" if math.isnan(x) else "inf" if x == math.inf else "-inf" if x == -math.inf else x


rng = np.random.default_rng(20261124)

# ---------- scipy statistics on pairs of samples ----------
pairs = []


def add_pair(name, a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ks = stats.ks_2samp(a, b)
    ad = stats.anderson_ksamp([a, b])
    case = {
        "name": name,
        "a": enc(a),
        "b": enc(b),
        "ks": [num(ks.statistic), num(ks.pvalue)],
        "wasserstein": num(stats.wasserstein_distance(a, b)),
        "energy": num(stats.energy_distance(a, b)),
        "anderson": [num(ad.statistic), num(ad.pvalue)],
    }
    case["ttest"] = [num(v) for v in stats.ttest_ind(a, b)]
    case["mannwLess"] = [num(v) for v in stats.mannwhitneyu(a, b, alternative="less")]
    case["mannwTwoSided"] = [num(v) for v in stats.mannwhitneyu(a, b, alternative="two-sided")]
    if len(a) > 1 and len(b) > 1:
        cvm = stats.cramervonmises_2samp(a, b)
        case["cvm"] = [num(cvm.statistic), num(cvm.pvalue)]
        try:
            ecvm = _cvm_2samp(a, b)
            case["cvmEvidently"] = [num(ecvm.statistic), num(ecvm.pvalue)]
        except Exception as e:  # Evidently's exact path overflows its uint16 table under numpy 2
            case["cvmEvidentlyError"] = type(e).__name__
    pairs.append(case)


add_pair("mwu-exact", rng.normal(size=6), rng.normal(0.7, size=8))
add_pair("mwu-exact-lopsided", rng.normal(size=40), rng.normal(0.4, size=5))
add_pair("tiny-equal", rng.normal(size=10), rng.normal(0.8, size=10))
add_pair("tiny-unequal", rng.normal(size=7), rng.normal(0.3, size=9))
add_pair("small-exact-cvm", rng.normal(size=15), rng.normal(0.5, size=20))
add_pair("ties", np.round(rng.normal(size=60) * 2) / 2, np.round(rng.normal(0.2, size=45) * 2) / 2)
add_pair("medium", rng.normal(size=500), rng.normal(0.1, size=800))
add_pair("skewed", rng.lognormal(size=700), rng.lognormal(0.15, size=650))
add_pair("heavy", rng.standard_t(2, size=900), rng.standard_t(2, size=300) * 1.3)
add_pair("same", rng.normal(size=400), rng.normal(size=400))
add_pair("equal-large", rng.normal(size=10000), rng.normal(0.03, size=10000))
add_pair("asymp-n100", rng.normal(size=20000), rng.normal(0.2, size=100))
add_pair("asymp-n292", rng.normal(size=12000), rng.normal(0.1, size=300))
add_pair("asymp-large", rng.normal(size=15000), rng.normal(0.03, size=20000))
add_pair("asymp-tiny-p", rng.normal(size=11000), rng.normal(0.2, size=11000))

chis = []
for f_obs, f_exp in [
    ([10, 20, 30, 40], [12, 18, 33, 37]),
    ([5, 0, 7], [4, 4, 4]),
    ([100, 250, 650], [110.5, 240.25, 649.25]),
    ([3, 9], [6, 6]),
]:
    r = stats.chisquare(f_obs, f_exp)
    chis.append({"observed": f_obs, "expected": f_exp, "statistic": num(r.statistic), "pValue": num(r.pvalue)})

fishers = []
for table in [[[8, 2], [1, 5]], [[20, 15], [10, 30]], [[0, 12], [7, 3]], [[100, 120], [90, 140]]]:
    r = stats.fisher_exact(table)
    fishers.append({"table": table, "pValue": num(r.pvalue)})

gtests = []
for f_obs, f_exp in [([10, 20, 30, 40], [12, 18, 33, 37]), ([50, 0, 50], [40, 20, 40])]:
    r = stats.power_divergence(f_obs, f_exp, lambda_="log-likelihood")
    gtests.append({"observed": f_obs, "expected": f_exp, "statistic": num(r.statistic), "pValue": num(r.pvalue)})

jss = []
for p, q in [([0.1, 0.4, 0.5], [0.2, 0.2, 0.6]), ([1, 0, 0], [0, 0.5, 0.5]), ([3, 5, 9, 1], [2, 2, 2, 2])]:
    jss.append({"p": p, "q": q, "distance": num(distance.jensenshannon(p, q))})

# ---------- Evidently DataDriftPreset ----------


def frame(n, shift, seed):
    g = np.random.default_rng(seed)
    with_nan = g.normal(shift, 1, size=n)
    with_nan[g.random(n) < 0.05] = np.nan
    with_nan[g.random(n) < 0.01] = np.inf
    with_nan[g.random(n) < 0.01] = -np.inf
    cats = ["a", "b", "c", "d"] if shift == 0 else ["a", "b", "c", "f"]
    cat_nan = g.choice(["u", "v", "w"], size=n).astype(object)
    cat_nan[g.random(n) < 0.1] = None
    return pd.DataFrame(
        {
            "normal": g.normal(0.02 * shift, 1, size=n),
            "shifted": g.normal(0.5 * shift, 1 + 0.2 * shift, size=n),
            "skewed": g.lognormal(0.1 * shift, 1, size=n),
            "heavy": g.standard_t(2, size=n) * (1 + 0.1 * shift),
            "ties": np.round(g.normal(0.1 * shift, 1, size=n) * 2) / 2,
            "few_float": g.choice([0.0, 1.5, 3.0], size=n, p=[0.5, 0.3, 0.2] if shift == 0 else [0.4, 0.3, 0.3]),
            "binary_float": g.choice([0.0, 1.0], size=n, p=[0.7, 0.3] if shift == 0 else [0.6, 0.4]),
            "int_low": g.integers(0, 4, size=n),
            "int_high": g.integers(0, 60 + 5 * shift, size=n),
            "cat": g.choice(cats, size=n),
            "binary_cat": g.choice(["yes", "no"], size=n, p=[0.5, 0.5] if shift == 0 else [0.45, 0.55]),
            "with_nan": with_nan,
            "constant": np.full(n, 7.0),
            "cat_nan": cat_nan,
        }
    )


def column_dtype(series):
    name = series.dtype.name
    if name.startswith("float"):
        return "float"
    if name.startswith("int"):
        return "int"
    return "str"


datasets = []
for name, n_ref, n_cur, seed, options in [
    ("tiny", 18, 14, 1, {}),
    ("small", 300, 200, 2, {}),
    ("at-limit", 1000, 700, 3, {}),
    ("large", 5000, 4000, 4, {}),
    ("large-psi", 5000, 4000, 5, {"method": "psi"}),
    ("large-kl", 3000, 2500, 6, {"method": "kl_div"}),
    ("large-js", 3000, 2500, 7, {"method": "jensenshannon"}),
    ("large-hellinger", 3000, 2500, 8, {"method": "hellinger"}),
    ("small-anderson", 300, 200, 9, {"num_method": "anderson"}),
    ("small-cvm", 300, 200, 10, {"num_method": "cramer_von_mises"}),
    ("small-ed", 300, 200, 11, {"num_method": "ed", "cat_method": "psi"}),
    ("large-ks-wasserstein", 3000, 2500, 12, {"num_method": "ks", "per_column_method": {"normal": "wasserstein"}, "cat_method": "chisquare", "threshold": 0.2}),
    ("small-ttest-mannw", 300, 200, 14, {"num_method": "t_test", "per_column_method": {"normal": "mannw", "skewed": "mannw", "ties": "mannw"}}),
    ("equal-g-fisher", 400, 400, 15, {"cat_method": "g_test", "per_column_method": {"binary_cat": "fisher_exact"}}),
    ("small-thresholds", 300, 200, 13, {"num_threshold": 0.3, "cat_threshold": 0.01, "per_column_threshold": {"shifted": 0.5}, "drift_share": 0.3}),
]:
    ref = frame(n_ref, 0, seed)
    cur = frame(n_cur, 1, seed + 100)
    if name == "tiny":
        ref = ref.drop(columns=["cat_nan"])
        cur = cur.drop(columns=["cat_nan"])
    if options.get("num_method") in ("anderson", "cramer_von_mises", "ed", "t_test"):
        # Evidently raises for the whole report on a constant column with these tests (t-test: NaN score)
        ref = ref.drop(columns=["constant"])
        cur = cur.drop(columns=["constant"])
    if options.get("cat_method") == "g_test":
        # Evidently hands scipy unscaled reference counts, which it rejects unless both sides keep the same size
        ref = ref.drop(columns=["cat_nan"])
        cur = cur.drop(columns=["cat_nan"])
    snap = Report([DataDriftPreset(**options)]).run(cur, ref)
    metrics = snap.dict()["metrics"]
    count = next(m for m in metrics if m["config"]["type"].endswith("DriftedColumnsCount"))
    columns = {}
    for m in metrics:
        if not m["config"]["type"].endswith("ValueDrift"):
            continue
        col = m["config"]["column"]
        ctype = infer_column_type(cur[col])
        ftype = ColumnType.Numerical if ctype == ColumnType.Numerical else ColumnType.Categorical
        rc = ref[col].replace([-np.inf, np.inf], np.nan).dropna()
        cc = cur[col].replace([-np.inf, np.inf], np.nan).dropna()
        chosen = (options.get("per_column_method") or {}).get(col) or options.get(
            "num_method" if ftype == ColumnType.Numerical else "cat_method"
        ) or options.get("method")
        test = get_stattest(rc, cc, ftype, chosen)
        res = test(rc, cc, ftype, m["config"]["threshold"])
        columns[col] = {
            "type": "numerical" if ftype == ColumnType.Numerical else "categorical",
            "method": test.name,
            "label": m["config"]["method"],
            "threshold": m["config"]["threshold"],
            "score": num(m["value"]),
            "directScore": num(res.drift_score),
            "drifted": bool(res.drifted),
        }
    datasets.append(
        {
            "name": name,
            "options": options,
            "reference": {c: {"dtype": column_dtype(ref[c]), "values": enc(ref[c].tolist())} for c in ref.columns},
            "current": {c: {"dtype": column_dtype(cur[c]), "values": enc(cur[c].tolist())} for c in cur.columns},
            "columns": columns,
            "nDrifted": int(count["value"]["count"]),
            "shareDrifted": float(count["value"]["share"]),
        }
    )

out = {
    "versions": {"scipy": __import__("scipy").__version__, "evidently": evidently.__version__, "pandas": pd.__version__},
    "pairs": pairs,
    "chisquare": chis,
    "jensenshannon": jss,
    "fisher": fishers,
    "gtest": gtests,
    "datasets": datasets,
}
with open(os.environ["DRIFT_FIXTURES_OUT"], "w") as f:
    json.dump(out, f, allow_nan=False)
print(json.dumps({"ok": True}))
