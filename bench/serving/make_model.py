"""Trains the benchmark model once and saves it twice: as an MLflow pyfunc (sklearn flavour) and as ONNX.

A RandomForestClassifier, 100 trees, 20 features: the same fitted estimator behind both servers.
Usage: python make_model.py OUT_DIR   (writes OUT_DIR/mlflow-model, OUT_DIR/model.onnx, OUT_DIR/sample.json)
"""
import json
import os
import sys

import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from skl2onnx import to_onnx
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

out = sys.argv[1]
X, y = make_classification(n_samples=5000, n_features=20, n_informative=10, random_state=0)
columns = [f"f{i}" for i in range(20)]
X = X.astype(np.float32)
frame = pd.DataFrame(X, columns=columns)
model = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0, n_jobs=1).fit(frame, y)

mlflow.sklearn.save_model(
    model,
    os.path.join(out, "mlflow-model"),
    signature=infer_signature(frame, model.predict(X)),
    input_example=frame.head(2),
    # mlflow 3 saves with skops, which refuses tree internals unless told they are trusted (we just fitted them).
    skops_trusted_types=["sklearn.tree._tree.Tree"],
)

# skl2onnx's default classifier graph (label + ZipMap probabilities): what a user exporting with defaults serves.
onnx_model = to_onnx(model, X[:1], target_opset={"": 17, "ai.onnx.ml": 3})
with open(os.path.join(out, "model.onnx"), "wb") as f:
    f.write(onnx_model.SerializeToString())

# The one-row request every system answers, and the ONNX input name for the raw onnxruntime loop.
sample = {"columns": columns, "row": [float(v) for v in X[0]], "onnx_input": onnx_model.graph.input[0].name}
with open(os.path.join(out, "sample.json"), "w") as f:
    json.dump(sample, f)
