"""A run killed with SIGKILL at any point and then resumed is the uninterrupted run.

DNNLAB_FAULT=<point> makes dnnlab kill itself there (files.fault); the test checks
that the hook fired, resumes with --resume, and compares the saved result with an
uninterrupted run of the same seed under --deterministic.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

LAB = Path(__file__).parent.parent / "labs" / "DNN_deep_hidden_layer3.py"
FLAGS = ["--epochs", "4", "--limit", "2000", "--deterministic"]
EPOCHS = 4
# (point, epochs in the checkpoint the resume starts from)
POINTS = [
    ("epoch-3:during", 2),  # killed in the middle of epoch 3
    ("epoch-2:end", 2),  # between epochs 2 and 3
    ("checkpoint-3:between-parts", 2),  # epoch 3's weights written, its record not
    ("write:result.json", 4),  # training done, result.json half-written
    ("write:results.json", None),  # the lab's file of all seeds half-written
]


def lab(logs: Path, *extra: str, fault: str | None = None):
    env = {**os.environ, "DNNLAB_FAULT": fault or ""}
    argv = [sys.executable, str(LAB), *FLAGS, "--log-dir", str(logs), *extra]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)


def result(logs: Path) -> dict:
    (path,) = logs.glob("*/*/net/seed-1/result.json")
    return json.loads(path.read_text())


def epochs_logged(run: Path) -> list[int]:
    acc = EventAccumulator(str(run / "validation"), size_guidance={"tensors": 0})
    acc.Reload()
    return [e.step for e in acc.Tensors("epoch_accuracy")]


@pytest.fixture(scope="module")
def reference(mnist, tmp_path_factory):
    logs = tmp_path_factory.mktemp("reference")
    done = lab(logs)
    assert done.returncode == 0, done.stderr[-2000:]
    return result(logs)


@pytest.mark.slow
@pytest.mark.parametrize("point,saved", POINTS)
def test_killed_then_resumed_is_the_run(point, saved, reference, tmp_path):
    killed = lab(tmp_path, fault=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert f"dnnlab: fault injected at {point}" in killed.stderr  # the hook fired
    (run,) = tmp_path.glob("*/*/net/seed-1")
    checkpoints = [p.name for p in run.glob("checkpoint-*")]
    if saved is None:  # the run's result is saved, its checkpoint removed
        assert not checkpoints and result(tmp_path)["status"] == "finished"
        state, saved = result(tmp_path), EPOCHS
    else:
        assert checkpoints == [f"checkpoint-{saved}"]
        state = json.loads((run / checkpoints[0] / "state.json").read_text())
        assert state["epoch"] == saved and len(state["history"]["loss"]) == saved

    resumed = lab(tmp_path, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "Traceback" not in resumed.stderr
    if saved < EPOCHS:
        assert f"resumed after epoch {saved} from" in resumed.stdout
    r = result(tmp_path)
    assert r["status"] == "finished"
    assert set(r["history"]) == set(reference["history"])
    for key, values in reference["history"].items():
        assert len(r["history"][key]) == EPOCHS, key
        assert r["history"][key][:saved] == values[:saved], key  # the checkpoint's
    assert [s for s, _ in r["trace"]] == [s for s, _ in reference["trace"]]
    assert r["wall_time"] >= state["wall_time"]  # the parts before, and this one
    # Nothing half-written left, every file readable, the checkpoint gone.
    assert not list(tmp_path.rglob("*.tmp")) and not list(run.glob("checkpoint-*"))
    for path in tmp_path.rglob("*.json"):
        json.loads(path.read_text())
    assert sorted(epochs_logged(run)) == list(range(EPOCHS))  # each epoch once
