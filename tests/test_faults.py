"""Every fault of the outside world answered in one line, never a traceback.

Each case sets up a fault a student's laptop meets (a path, a file, a flag, a kill,
a full or read-only disk, the other backend, the wrong Python), runs a lab as a
fresh process, and checks its exit status and the one line it prints.
`python tests/test_faults.py` prints the cases and those lines as a table.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
QUICK = ["--limit", "600", "--epochs", "1"]
CHATTER = re.compile(r"absl::|cudart_stub|oneDNN|cuda drivers|cpu_feature_guard")


@dataclass
class Case:
    name: str
    setup: Callable[[Path], tuple[list[str], dict]]  # tmp -> (argv, environment)
    code: int  # the exit status
    line: str  # what the one line says (a regular expression)
    since: str = "new"  # "before": handled before issue 25


def lab(name: str, *flags: str, python=(sys.executable,)) -> list[str]:
    return [*python, str(ROOT / "labs" / f"{name}.py"), *flags]


def fake_run(tmp: Path, lab_name: str = "DNN_softmax") -> Path:
    """An earlier run folder of a lab, for --resume to find."""
    run = tmp / "logs" / lab_name / "20260101-000000" / "net" / "seed-1"
    run.mkdir(parents=True)
    return run


def truncated_result(tmp):
    (fake_run(tmp) / "result.json").write_text('{"config": {"name": "DNN_soft')
    return lab("DNN_softmax", *QUICK, "--resume", "--log-dir", str(tmp / "logs")), {}


def truncated_checkpoint(tmp):
    folder = fake_run(tmp) / "checkpoint-1"
    folder.mkdir()
    (folder / "state.json").write_text('{"epoch": 1, "hist')
    return lab("DNN_softmax", *QUICK, "--resume", "--log-dir", str(tmp / "logs")), {}


def foreign_checkpoint(tmp):
    folder = fake_run(tmp) / "checkpoint-1"
    folder.mkdir()
    np.savez(folder / "weights.npz", v0=np.zeros(3))
    state = dict(epoch=1, history={"loss": [1.0]}, trace=[], wall_time=1.0)
    (folder / "state.json").write_text(json.dumps(state))
    return lab("DNN_softmax", *QUICK, "--resume", "--log-dir", str(tmp / "logs")), {}


def file_in_the_way(tmp):
    (tmp / "logs").write_text("not a folder")
    return lab("DNN_softmax", *QUICK, "--log-dir", str(tmp / "logs")), {}


def mounted(tmp: Path, options: str) -> Path:
    """A small tmpfs (these machines run as root): a full or a read-only disk."""
    disk = tmp / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(disk)])
    if done.returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    return disk


def read_only(tmp):
    disk = mounted(tmp, "size=512k,ro")
    return lab("DNN_softmax", *QUICK, "--log-dir", str(disk / "logs")), {}


def disk_full(tmp):
    disk = mounted(tmp, "size=512k")  # the config fits, a checkpoint (1.3 MB) not
    return lab("DNN_deep_hidden_layer3", *QUICK, "--log-dir", str(disk)), {}


def no_data_folder(tmp):
    return lab("DNN_softmax", *QUICK), {"DNNLAB_DATA_DIR": str(tmp / "nowhere")}


def truncated_mnist(tmp):
    data = tmp / "mnist"
    shutil.copytree(os.environ["DNNLAB_DATA_DIR"], data)
    (name,) = [p for p in data.glob("t10k-labels*")]
    name.write_bytes(name.read_bytes()[:100])
    return lab("DNN_softmax", *QUICK), {"DNNLAB_DATA_DIR": str(data)}


def truncated_saved_results(tmp):
    saved = tmp / "results"
    saved.mkdir()
    (saved / "DNN_softmax.json").write_text('{"lab": "DNN_softmax", "vari')
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r}); import results; "
        "import places; from pathlib import Path; "
        f"places.SAVED = Path({str(saved)!r}); "
        "results.main(['--render'])"
    )
    return [sys.executable, "-c", code], {}


def killed_then_resumed(tmp):
    logs = str(tmp / "logs")
    env = {**os.environ, "DNNLAB_FAULT": "epoch-1:end"}
    killed = subprocess.run(
        lab("DNN_softmax", "--limit", "600", "--epochs", "2", "--log-dir", logs),
        env=env,
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -9 and "fault injected" in killed.stderr
    return lab(
        "DNN_softmax", "--limit", "600", "--epochs", "2", "--resume", "--log-dir", logs
    ), {}


def jax_with_tensorboard(tmp):
    argv = lab("DNN_deep_hidden_layer3", *QUICK, "--log-dir", str(tmp / "logs"))
    return argv, {"KERAS_BACKEND": "jax"}


def python_without_libraries(tmp):
    # -S: no site-packages, as a system Python without numpy, Keras or TensorFlow.
    return lab("DNN_softmax", "--help", python=(sys.executable, "-S")), {}


def repository_not_installed(tmp):
    # A copy of the repository: its labs must run its own dnnlab, not the one
    # installed (editable, from this checkout).
    for folder in ("dnnlab", "labs"):
        shutil.copytree(ROOT / folder, tmp / folder)
    with open(tmp / "dnnlab" / "__init__.py", "a") as f:
        f.write("\nprint('the copy of dnnlab')\n")
    return [sys.executable, str(tmp / "labs" / "DNN_softmax.py"), "--help"], {}


def flags(*argv, name="DNN_softmax"):
    return lambda tmp: (lab(name, *argv), {})


CASES = [
    Case(
        "log folder: a file in the way",
        file_in_the_way,
        1,
        r"cannot make the log folder .*logs/DNN_softmax/\S+: a file is in the way "
        r"of a folder; choose another with --log-dir DIR",
    ),
    Case(
        "log folder on a read-only disk",
        read_only,
        1,
        r"cannot make the log folder .*: the disk is read-only",
    ),
    Case(
        "a disk without room for the checkpoints",
        disk_full,
        1,
        r"disk/DNN_deep_hidden_layer3/\S+/net/seed-1: 0.\d MB free, the checkpoints "
        r"of this net need \d.\d MB: make room, choose another --log-dir, or run "
        r"with --no-checkpoint",
    ),
    Case(
        "--resume: result.json truncated",
        truncated_result,
        1,
        r"result.json: not readable JSON \(.*\); delete it to train that run again",
    ),
    Case(
        "--resume: checkpoint's state.json truncated",
        truncated_checkpoint,
        1,
        r"state.json: not readable JSON .*; delete .*checkpoint-1 to go on from the "
        r"epoch before, or run without --resume",
    ),
    Case(
        "--resume: a checkpoint of another net",
        foreign_checkpoint,
        1,
        r"checkpoint-1: holds 1 variables, the net has \d+ \(other flags than the "
        r"run's\?\)",
    ),
    Case(
        "docs/results/*.json truncated (results.py --render)",
        truncated_saved_results,
        1,
        r"results.py: .*DNN_softmax.json: not readable JSON .*; restore it",
    ),
    Case(
        "DNNLAB_DATA_DIR names no folder",
        no_data_folder,
        1,
        r"data error: .*nowhere: no such folder",
        "before",
    ),
    Case(
        "an MNIST file truncated",
        truncated_mnist,
        1,
        r"data error: .*t10k-labels.*: not a readable gzip file",
        "before",
    ),
    Case(
        "killed (kill -9), then --resume",
        killed_then_resumed,
        0,
        r"dnnlab: resumed after epoch 1 from .*checkpoint-1",
    ),
    Case(
        "--backend jax with TensorBoard on",
        jax_with_tensorboard,
        0,
        r"dnnlab: backend jax",
    ),
    Case(
        "a Python without the labs' libraries",
        python_without_libraries,
        1,
        r"dnnlab: this Python \(.*\) lacks numpy, keras, .*: run `make install`",
    ),
    Case(
        "the repository, not installed",
        repository_not_installed,
        0,
        r"the copy of dnnlab",
    ),
    Case(
        "a list with an empty part",
        flags("--hidden-units", "256,,256"),
        2,
        r"'256,,256' has an empty part: expected comma-separated",
        "867c5d1",
    ),
    Case(
        "a variant list ending in a comma",
        flags("--variants", "he,", name="DNN_batch_normalization"),
        2,
        r"'he,' has an empty part",
        "867c5d1",
    ),
    Case(
        "a renamed flag",
        flags("--strategy", "grid", name="DNN_hyperparameter_search"),
        2,
        r"--strategy is now --variants",
        "867c5d1",
    ),
    Case(
        "a misspelt flag",
        flags("--learing-rate", "0.1"),
        2,
        r"did you mean --learning-rate",
        "before",
    ),
    Case(
        "a value out of range",
        flags("--learning-rate", "-1"),
        2,
        r"learning_rate=-1.0 is not allowed",
        "before",
    ),
    Case(
        "--resume with nothing to resume",
        lambda tmp: (lab("DNN_softmax", "--resume", "--log-dir", str(tmp)), {}),
        2,
        r"resume=True is not allowed: expected an earlier run",
        "before",
    ),
    Case(
        "a batch larger than the data",
        flags("--limit", "600", "--batch-size", "5000"),
        2,
        r"batch_size=5000 is not allowed: expected at most the \d+ training",
        "before",
    ),
]


def run(case: Case, tmp: Path) -> tuple[subprocess.CompletedProcess, str]:
    """The case's process and the one line it answered with."""
    argv, env = case.setup(tmp)
    env = {**os.environ, "DNNLAB_FAULT": "", "DNNLAB_DEBUG": "", **env}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode == 0:  # the line is on stdout; stderr is clean
        found = [
            line for line in done.stdout.splitlines() if re.search(case.line, line)
        ]
        return done, found[0] if found else ""
    return done, lines[-1] if lines else ""


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault_answered_in_one_line(case, mnist, tmp_path):
    try:
        done, line = run(case, tmp_path)
    finally:
        subprocess.run(["umount", str(tmp_path / "disk")], capture_output=True)
    out = (done.stdout + done.stderr)[-3000:]
    assert done.returncode == case.code, out
    assert "Traceback" not in done.stderr, out
    assert not CHATTER.search(done.stderr), out  # no TensorFlow C++ line, any backend
    assert re.search(case.line, line), out
    if case.code != 0:  # that line and nothing else on stderr
        assert len([s for s in done.stderr.splitlines() if s.strip()]) == 1, out


@pytest.mark.slow
def test_disk_fills_during_training(mnist, tmp_path):
    """The disk fills after epoch 1's checkpoint: stopped in one line with what is
    kept; once there is room again, --resume finishes the run."""
    disk = mounted(tmp_path, "size=16m")
    argv = lab("DNN_deep_hidden_layer3", "--limit", "20000", "--epochs", "4")
    argv += ["--no-tensorboard", "--log-dir", str(disk)]
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        end = time.monotonic() + 120
        while not list(disk.glob("*/*/net/seed-1/checkpoint-1")):
            assert proc.poll() is None and time.monotonic() < end
            time.sleep(0.02)
        with open(disk / "filler", "wb") as f:  # every byte left
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * 2**16)
                    f.flush()
        out, err = (s.decode() for s in proc.communicate(timeout=120))
        lines = [s for s in err.splitlines() if s.strip()]
        assert proc.returncode == 1 and len(lines) == 1, err[-3000:]
        assert re.search(
            r"cannot write the checkpoint of epoch 2 in .*: no space left on the "
            r"disk; epoch 1's is kept: make room, then run the same command with "
            r"--resume",
            lines[0],
        ), lines[0]
        (disk / "filler").unlink()
        done = subprocess.run([*argv, "--resume"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "resumed after epoch 1" in done.stdout
        (result,) = disk.glob("*/*/net/seed-1/result.json")
        saved = json.loads(result.read_text())
        assert saved["status"] == "finished" and len(saved["history"]["loss"]) == 4
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_at_least_fifteen_faults():
    assert len(CASES) >= 15 and len({c.name for c in CASES}) == len(CASES)


if __name__ == "__main__":
    import tempfile

    print("| fault | exit | the line the student sees | handled |")
    print("|---|---|---|---|")
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                done, line = run(case, Path(tmp))
                code = done.returncode
            except BaseException as e:  # a skipped mount
                code, line = "-", f"({type(e).__name__})"
            finally:
                subprocess.run(["umount", str(Path(tmp) / "disk")], capture_output=True)
            line = line.replace("|", "\\|").replace(tmp, "TMP")
            print(f"| {case.name} | {code} | `{line}` | {case.since} |")
