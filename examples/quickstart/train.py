"""Pharos quickstart: train, log and register a scikit-learn classifier with the unmodified mlflow client.

    python train.py initial --out DIR --model NAME   # version trained on the original data, alias `champion`
    python train.py retrain --out DIR --model NAME   # version trained on the data collected after the drift

MLFLOW_TRACKING_URI points at the Pharos server. The data is scikit-learn's breast cancer dataset (569 tumours,
label 1 = benign). `initial` also writes what production will send: `production.json` (held-out rows) and
`drifted.json` (held-out rows as a recalibrated scanner reports them: sizes 30% larger, texture noisier), and
`retrain.csv` (the training rows as the new scanner reports them, labelled: what a team would collect to retrain).
The last stdout line is a JSON summary.
"""

import argparse
import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")

import numpy as np
import pandas as pd
import mlflow
import mlflow.onnx
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, roc_auc_score
from sklearn.model_selection import cross_val_predict, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType

EXPERIMENT = "pharos-quickstart"
FEATURES = ["mean radius", "mean texture", "mean smoothness", "mean compactness", "mean concavity", "mean symmetry"]
COLUMNS = [f.replace(" ", "_") for f in FEATURES]
SEED = 42


def load():
    data = load_breast_cancer(as_frame=True)
    frame = data.frame[FEATURES].astype(np.float32)
    frame.columns = COLUMNS
    frame["label"] = data.target.astype(int)
    return train_test_split(frame, test_size=0.4, stratify=frame["label"], random_state=SEED)


def recalibrated(frame, seed):
    """The same tumours as a recalibrated scanner reports them: what production sends after the drift."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    out["mean_radius"] = (out["mean_radius"] * 1.3).astype(np.float32)
    out["mean_texture"] = (out["mean_texture"] + rng.normal(4, 2, len(out))).astype(np.float32)
    return out


def records(frame):
    return {"records": json.loads(frame[COLUMNS].to_json(orient="records")), "labels": frame["label"].tolist()}


def train_and_register(train, holdout, model_name, dataset_name, out_dir, description):
    params = {"C": 1.0, "max_iter": 1000, "features": ",".join(COLUMNS), "train_rows": len(train)}
    make = lambda: Pipeline([
        ("scale", ColumnTransformer([("num", StandardScaler(), COLUMNS)])),
        ("clf", LogisticRegression(C=params["C"], max_iter=params["max_iter"])),
    ])
    pipe = make().fit(train[COLUMNS], train["label"])
    # Out-of-fold scores beside the labels: a monitor whose reference is this file gets reference
    # performance, prediction drift and a CBPE calibration that in-sample scores would flatter.
    oof = cross_val_predict(make(), train[COLUMNS], train["label"], cv=5, method="predict_proba")[:, 1]
    dataset = train[COLUMNS + ["label"]].assign(prediction=(oof >= 0.5).astype(int), score=oof.astype(np.float32))
    dataset_path = os.path.join(out_dir, f"{dataset_name}.csv")
    dataset.to_csv(dataset_path, index=False)
    pred = pipe.predict(holdout[COLUMNS])
    proba = pipe.predict_proba(holdout[COLUMNS])[:, 1]
    metrics = {
        "train_accuracy": float(accuracy_score(train["label"], pipe.predict(train[COLUMNS]))),
        "cv_accuracy": float(accuracy_score(train["label"], dataset["prediction"])),
        "test_accuracy": float(accuracy_score(holdout["label"], pred)),
        "test_f1": float(f1_score(holdout["label"], pred)),
        "test_roc_auc": float(roc_auc_score(holdout["label"], proba)),
    }
    # One ONNX input a column, so the inference log, drift and data quality speak of named features.
    onx = convert_sklearn(pipe, initial_types=[(c, FloatTensorType([None, 1])) for c in COLUMNS])
    mlflow.set_experiment(EXPERIMENT)
    with mlflow.start_run(run_name=f"{model_name}-{dataset_name}", description=description) as run:
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
        mlflow.log_dict({"labels": ["malignant", "benign"], "matrix": confusion_matrix(holdout["label"], pred).tolist()}, "evaluation/confusion_matrix.json")
        mlflow.log_artifact(dataset_path, "data")
        # The training data as the run's input: monitors find their reference through this lineage.
        mlflow.log_input(mlflow.data.from_pandas(dataset, source=dataset_path, targets="label", predictions="prediction", name=dataset_name), context="training")
        info = mlflow.onnx.log_model(onx, name="model", registered_model_name=model_name, signature=infer_signature(train[COLUMNS], pred))
    return pipe, {"run_id": run.info.run_id, "experiment_id": run.info.experiment_id, "version": str(info.registered_model_version), "metrics": metrics, "params": params}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["initial", "retrain"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    train, holdout = load()

    if args.phase == "initial":
        pipe, result = train_and_register(train, holdout, args.model, "breast-cancer-train", args.out, "Logistic regression on the original scanner's measurements")
        MlflowClient().set_registered_model_alias(args.model, "champion", result["version"])
        drifted = recalibrated(holdout, SEED)
        recalibrated(train, SEED + 1).to_csv(os.path.join(args.out, "retrain.csv"), index=False)
        with open(os.path.join(args.out, "production.json"), "w") as f:
            json.dump(records(holdout), f)
        with open(os.path.join(args.out, "drifted.json"), "w") as f:
            json.dump(records(drifted), f)
        # What this model scores on the drifted data: the drop the monitor should find from late labels.
        result["drifted_accuracy"] = float(accuracy_score(drifted["label"], pipe.predict(drifted[COLUMNS])))
    else:
        retrain = pd.read_csv(os.path.join(args.out, "retrain.csv"), dtype={c: np.float32 for c in COLUMNS})
        drifted = recalibrated(holdout, SEED)
        _, result = train_and_register(retrain, drifted, args.model, "breast-cancer-recalibrated", args.out, "Retrained on measurements from the recalibrated scanner")
    result["columns"] = COLUMNS
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
