"""Run every lab at its defaults, time it, write the README's lab table from results.

Usage: python scripts/lab_table.py [LAB ...]   (make lab-table; ~25 minutes on 2 cores)
"""

import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABS = {  # lab -> make target
    "DNN_softmax": "lab-softmax",
    "DNN_deep_hidden_layer3": "lab-layer3",
    "DNN_deep_hidden_layer5": "lab-layer5",
    "DNN_deep_hidden_layer5_tensorboard": "lab-tensorboard",
    "DNN_initializer": "lab-initializer",
    "DNN_regularization": "lab-regularization",
    "DNN_batch_normalization": "lab-batchnorm",
    "DNN_cost_function": "lab-cost",
    "DNN_activation": "lab-activation",
    "DNN_learning_rate": "lab-learning-rate",
    "DNN_optimizer": "lab-optimizer",
    "DNN_dropout": "lab-dropout",
}
START, END = "<!-- lab table: scripts/lab_table.py -->", "<!-- end lab table -->"


def run(lab: str) -> tuple[float, dict]:
    """Wall time of the whole lab process, and its variants' results."""
    started = time.perf_counter()
    subprocess.run([sys.executable, f"labs/{lab}.py"], cwd=ROOT, check=True)
    wall = time.perf_counter() - started
    latest = max((ROOT / "logs" / lab).iterdir(), key=lambda p: p.stat().st_mtime)
    return wall, json.loads((latest / "results.json").read_text())


def row(lab: str, wall: float, results: dict) -> str:
    cells = []
    for name, r in results.items():
        text = f"{name} {100 * r['test_accuracy']:.2f} %"
        if r["diverged_at"]:
            text += f" (diverged at epoch {r['diverged_at']})"
        cells.append(text)
    return f"| `{lab}.py` | {', '.join(cells)} | {wall:.0f} s | `make {LABS[lab]}` |"


def main(labs: list[str]) -> None:
    saved = ROOT / "logs" / "lab_table.json"
    rows = json.loads(saved.read_text()) if saved.exists() else {}
    for lab in labs:
        wall, results = run(lab)
        rows[lab] = row(lab, wall, results)
        saved.write_text(json.dumps(rows, indent=1))  # a lab that fails keeps the rest
    import tensorflow as tf

    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, no GPU, Python "
        f"{platform.python_version()}, TensorFlow {tf.__version__}, "
        f"{datetime.date.today().isoformat()}"
    )
    table = "\n".join(
        [
            START,
            "| lab | test accuracy of each variant | wall time | command |",
            "| --- | --- | --- | --- |",
        ]
        + [rows[lab] for lab in LABS if lab in rows]
        + ["", f"Measured by `python scripts/lab_table.py` on {machine}.", END]
    )
    readme = ROOT / "README.md"
    text = readme.read_text()
    text = re.sub(
        re.escape(START) + ".*?" + re.escape(END), lambda _: table, text, flags=re.S
    )
    readme.write_text(text)
    print(table)


if __name__ == "__main__":
    main(sys.argv[1:] or list(LABS))
