#!/usr/bin/env bash
# A lab notebook as a student outside this repository starts it (Colab, a fresh
# Jupyter): a new virtual environment with only Jupyter and dnnlab's wheel (its
# dependencies as pyproject.toml allows them), the notebook copied out of the
# repository, executed top to bottom with its defaults. Offline, MNIST comes from
# DNNLAB_DATA_DIR. Usage: scripts/fresh_notebook.sh [LAB]   (default: DNN_softmax)
set -euo pipefail
lab=${1:-DNN_softmax}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q jupyter
"$tmp/venv/bin/pip" wheel -q --no-deps -w "$tmp/wheel" "$root"
"$tmp/venv/bin/pip" install -q "$tmp"/wheel/dnnlab-*.whl
mkdir "$tmp/work"
cp "$root/notebooks/$lab.ipynb" "$tmp/work/"
cd "$tmp/work"
"$tmp/venv/bin/jupyter" nbconvert --to notebook --execute --output run.ipynb "$lab.ipynb"
"$tmp/venv/bin/python" - <<'PY'
import json
cells = json.load(open("run.ipynb"))["cells"]
outs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
last = outs[-1].get("text") or "".join(outs[-1].get("data", {}).get("text/plain", ""))
assert "verdict:" in "".join(last), last
print("fresh environment: the notebook ran;", "".join(last).splitlines()[-1])
PY
