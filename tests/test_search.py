"""The hyperparameter search lab: every strategy, HParams, resume, chief and workers."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from google.protobuf import json_format
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

LAB = Path(__file__).parent.parent / "labs" / "DNN_hyperparameter_search.py"
NAME = "DNN_hyperparameter_search"
QUICK = ["--epochs", "1", "--limit", "600", "--final-epochs", "1", "--no-tensorboard"]

pytestmark = [pytest.mark.usefixtures("mnist"), pytest.mark.slow]


def command(logs: Path, *flags: str) -> list[str]:
    return [sys.executable, str(LAB), *QUICK, "--log-dir", str(logs), *flags]


def run(logs: Path, *flags: str, env=None) -> str:
    done = subprocess.run(
        command(logs, *flags), capture_output=True, text=True, timeout=400, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def folder(logs: Path, strategy: str) -> Path:
    """The strategy's seed-1 folder in the lab's one run."""
    (run,) = (logs / NAME).iterdir()
    return run / strategy / "seed-1"


def trials(logs: Path, strategy: str) -> dict[str, dict]:
    """keras-tuner's own record of each trial: id -> trial.json."""
    project = folder(logs, strategy) / "tuner"
    return {
        p.name.removeprefix("trial_"): json.loads((p / "trial.json").read_text())
        for p in project.glob("trial_*")
    }


def hparams(run_dir: Path) -> dict:
    """The hyperparameters in the run's HParams summary."""
    acc = EventAccumulator(str(run_dir))
    acc.Reload()
    content = acc.PluginTagToContent("hparams")["_hparams_/session_start_info"]
    data = plugin_data_pb2.HParamsPluginData.FromString(content)
    # Each value is a protobuf Value, which MessageToDict turns into the number or str.
    return {
        k: json_format.MessageToDict(v)
        for k, v in data.session_start_info.hparams.items()
    }


def test_each_trial_is_an_hparams_session(tmp_path):
    run(tmp_path, "--variants", "random", "--trials", "2", "--tensorboard")
    for trial_id, trial in trials(tmp_path, "random").items():
        assert trial["status"] == "COMPLETED"
        run_dir = folder(tmp_path, "random") / "trials" / f"trial_{trial_id}"
        assert hparams(run_dir) == trial["hyperparameters"]["values"]


def test_an_interrupted_search_resumes_without_repeating_a_trial(tmp_path):
    flags = [
        "--variants",
        "random",
        "--trials",
        "3",
        "--limit",
        "3000",
        "--epochs",
        "3",
    ]
    proc = subprocess.Popen(
        command(tmp_path, *flags),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # SIGINT is not ignored in a new session
    )
    end = time.monotonic() + 240
    while not list(
        tmp_path.glob(f"{NAME}/*/random/seed-1/trials/trial_1/config.json")
    ):  # trial 0 has finished, trial 1 is training
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "the second trial never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 130, err[-2000:]
    before = trials(tmp_path, "random")
    assert before["0"]["status"] == "COMPLETED"
    first_log = folder(tmp_path, "random") / "trials" / "trial_0"
    stamp = (first_log / "result.json").stat().st_mtime_ns

    out = run(tmp_path, *flags, "--resume")
    assert "random: 1 finished trials kept" in out
    assert out.count("Running Trial") == 2  # the interrupted one, and one more
    after = trials(tmp_path, "random")
    assert sorted(after) == ["0", "1", "2"]
    assert all(t["status"] == "COMPLETED" for t in after.values())
    assert after["0"] == before["0"]  # kept, not repeated
    assert (first_log / "result.json").stat().st_mtime_ns == stamp
    # The interrupted trial ran again with the hyperparameters it was given.
    assert after["1"]["hyperparameters"] == before["1"]["hyperparameters"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_chief_and_two_workers_split_the_trials(tmp_path):
    flags = [
        "--variants",
        "random",
        "--trials",
        "4",
        "--limit",
        "2000",
        "--epochs",
        "2",
    ]
    base = {
        **os.environ,
        "KERASTUNER_ORACLE_IP": "127.0.0.1",
        "KERASTUNER_ORACLE_PORT": str(free_port()),
    }
    procs = {
        who: subprocess.Popen(
            command(tmp_path, *flags),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**base, "KERASTUNER_TUNER_ID": who},
        )
        for who in ("chief", "tuner0", "tuner1")
    }
    outs = {}
    try:
        for who, proc in procs.items():
            out, err = proc.communicate(timeout=400)
            assert proc.returncode == 0, f"{who}: {err[-2000:]}"
            outs[who] = out
    finally:
        for proc in procs.values():
            proc.kill()
    ran = {
        who: int(re.search(r"worker done: ran (\d+) trials", outs[who])[1])
        for who in ("tuner0", "tuner1")
    }
    assert sum(ran.values()) == 4 and min(ran.values()) >= 1, ran
    assert "random: top 4 of 4 trials" in outs["chief"]  # the chief sees them all
    # Each process has its run folder; the chief's holds the results.
    (saved,) = [
        json.loads(p.read_text()) for p in tmp_path.glob(f"{NAME}/*/results.json")
    ]
    (result,) = saved["variants"]["random"]
    assert len(result["extras"]["best_so_far"]) == 4


def test_time_budget_starts_no_trial_after_it(tmp_path):
    out = run(
        tmp_path, "--variants", "random", "--trials", "3", "--time-budget", "0.001"
    )
    assert "time budget of 0 s spent: no more trials here" in out
    assert "random: top 1 of 1 trials" in out
