#!/usr/bin/env bash
# Creates (or reuses) the Python virtual environment for interop tests and benchmarks.
# Cached under ~/.cache/pharos keyed by the requirements' hash, so a second run is instant.
# Prints the python path on stdout. Safe to call from several processes at once (flock).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/test/python/requirements.txt"
hash=$(sha256sum "$req" | cut -c1-12)
cache="${PHAROS_CACHE_DIR:-$HOME/.cache/pharos}"
venv="$cache/venv-$hash"
mkdir -p "$cache"
exec 9>"$cache/venv.lock"
flock 9
if [ ! -f "$venv/.complete" ]; then
  echo "creating Python environment in $venv (mlflow, scikit-learn, skl2onnx, scipy, evidently)..." >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
  touch "$venv/.complete"
fi
echo "$venv/bin/python"
