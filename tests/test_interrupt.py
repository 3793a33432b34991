"""Ctrl-C during a lab saves what was done; --resume goes on without repeating it."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

LAB = Path(__file__).parent.parent / "labs" / "DNN_batch_normalization.py"
FLAGS = ["--limit", "2000", "--epochs", "10", "--hidden-units", "64,64", "--seeds", "2"]


def start(logs: Path, *extra: str) -> subprocess.Popen:
    # A new session: a child of a non-interactive shell may start with SIGINT ignored.
    return subprocess.Popen(
        [sys.executable, str(LAB), *FLAGS, "--log-dir", str(logs), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(pattern: str, folder: Path, proc, timeout: float = 180) -> None:
    end = time.monotonic() + timeout
    while not list(folder.glob(pattern)):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, f"{folder / pattern} never appeared"
        time.sleep(0.05)


def epochs_logged(folder: Path) -> list[int]:
    acc = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    acc.Reload()
    return [e.step for e in acc.Tensors("epoch_accuracy")]


@pytest.mark.slow
def test_sigint_saves_and_resume_goes_on(mnist, tmp_path):
    proc = start(tmp_path)
    wait_for("DNN_batch_normalization/*", tmp_path, proc)
    (run,) = (tmp_path / "DNN_batch_normalization").iterdir()
    # A checkpoint appears when the second variant has finished an epoch.
    wait_for("he+bn/seed-1/checkpoint-*", run, proc)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted; results so far in" in err and "--resume" in err
    assert "Traceback" not in err
    assert "DNN_batch_normalization (interrupted)" in out  # the table so far
    first = run / "he" / "seed-1" / "result.json"
    assert json.loads(first.read_text())["status"] == "finished"
    stopped = json.loads((run / "he+bn" / "seed-1" / "result.json").read_text())
    assert stopped["status"] == "interrupted"
    metas = (run / "he+bn" / "seed-1").glob("checkpoint-*/state.json")
    meta = max(metas, key=lambda p: int(p.parent.name.split("-")[1]))
    saved = json.loads(meta.read_text())["epoch"]  # epochs in the checkpoint
    # Ctrl-C may land between an epoch's logs and its checkpoint: that epoch reruns.
    assert 1 <= saved <= len(stopped["history"]["loss"]) <= saved + 1 < 10
    assert stopped["wall_time"] >= json.loads(meta.read_text())["wall_time"]
    kept = first.stat().st_mtime_ns

    proc = start(tmp_path, "--resume")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    assert first.stat().st_mtime_ns == kept  # the finished variant was not run again
    assert len(list((tmp_path / "DNN_batch_normalization").iterdir())) == 1
    resumed = json.loads((run / "he+bn" / "seed-1" / "result.json").read_text())
    assert resumed["status"] == "finished"
    assert resumed["history"]["loss"][:saved] == stopped["history"]["loss"][:saved]
    assert len(resumed["history"]["loss"]) == 10
    assert resumed["wall_time"] > stopped["wall_time"]  # both parts
    assert not list((run / "he+bn" / "seed-1").glob("*checkpoint-*"))
    # TensorBoard's curve goes on from the interrupted epoch, it does not restart.
    assert sorted(set(epochs_logged(run / "he+bn" / "seed-1" / "validation"))) == list(
        range(10)
    )
    # Every seed of every variant finished: the seeds not started ran on --resume.
    for variant in ("he", "he+bn", "normal_0.01", "normal_0.01+bn"):
        for seed in ("seed-1", "seed-2"):
            result = json.loads((run / variant / seed / "result.json").read_text())
            assert result["status"] in ("finished", "diverged"), (variant, seed)
