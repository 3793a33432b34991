"""Run every lab at its defaults, time it, write the README's lab table from results.

Usage: python scripts/lab_table.py [LAB ...]   (make lab-table; ~25 minutes on 2 cores)
       python scripts/lab_table.py --render   (the table again from the saved runs)
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


GAP = {"DNN_regularization", "DNN_dropout"}  # labs about the train–test gap


def run(lab: str) -> dict:
    """Run a lab; its wall time and the folder of the run it wrote."""
    started = time.perf_counter()
    subprocess.run([sys.executable, f"labs/{lab}.py"], cwd=ROOT, check=True)
    wall = time.perf_counter() - started
    latest = max((ROOT / "logs" / lab).iterdir(), key=lambda p: p.stat().st_mtime)
    return {"wall": wall, "run": str(latest)}


def row(lab: str, wall: float, run: str) -> str:
    results = json.loads((Path(run) / "results.json").read_text())
    cells = []
    for name, r in results.items():
        text = f"{name} {100 * r['test_accuracy']:.2f} %"
        if lab in GAP:
            text += f" (gap {100 * (r['train_accuracy'] - r['test_accuracy']):.1f})"
        if r["diverged_at"]:
            text += f" (diverged at epoch {r['diverged_at']})"
        cells.append(text)
    return f"| `{lab}.py` | {', '.join(cells)} | {wall:.0f} s | `make {LABS[lab]}` |"


def main(labs: list[str]) -> None:
    saved = ROOT / "logs" / "lab_table.json"
    runs = json.loads(saved.read_text()) if saved.exists() else {}
    for lab in labs:
        runs[lab] = run(lab)
        saved.write_text(json.dumps(runs, indent=1))  # a lab that fails keeps the rest
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
        + [row(lab, **runs[lab]) for lab in LABS if lab in runs]
        + [
            "",
            f"Measured by `python scripts/lab_table.py` on {machine}; for the",
            "labs about overfitting, the train − test accuracy gap in points.",
            END,
        ]
    )
    readme = ROOT / "README.md"
    text = readme.read_text()
    text = re.sub(
        re.escape(START) + ".*?" + re.escape(END), lambda _: table, text, flags=re.S
    )
    readme.write_text(text)
    print(table)


if __name__ == "__main__":
    args = sys.argv[1:]
    main([] if args == ["--render"] else args or list(LABS))
