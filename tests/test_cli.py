import dataclasses
import json
import subprocess
import sys

import pytest

from dnnlab import Config
from dnnlab.cli import run_cli


def dnnlab(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "dnnlab", *args],
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


def test_help_lists_every_field_without_importing_tensorflow():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['dnnlab', '--help']\n"
        "try:\n    runpy.run_module('dnnlab', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code == 0\n"
        "print('LOADED', 'tensorflow' in sys.modules or 'keras' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    ).stdout
    assert "LOADED False" in out
    for field in dataclasses.fields(Config):
        assert "--" + field.name.replace("_", "-") in out
    assert "(default: 256,256,256)" in out and "(default: adam)" in out


@pytest.mark.parametrize(
    "args, says",
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (
            ["--epoch", "3"],
            "unrecognized arguments: --epoch 3 (did you mean --epochs?)",
        ),
        (["--epochs", "three"], "argument --epochs: invalid int value: 'three'"),
        (["--dropout", "1.5"], "dropout=1.5 is not allowed"),
        (["--optimizer", "adamw"], "did you mean 'adam'"),
        (["--hidden-units", "256,x"], "argument --hidden-units"),
        (["--epochs", "0"], "epochs=0 is not allowed"),
        (["--resume"], "resume=True is not allowed: expected an earlier run"),
        (
            ["--reg-lambda", "-0.1"],
            "reg_lambda=-0.1 is not allowed: expected a number >= 0",
        ),
        (["--learning-rate", "-1"], "learning_rate=-1.0 is not allowed"),
        (["--hidden-units", "256,0"], "hidden_units=(256, 0) is not allowed"),
        (["--initializer", "xavier"], "initializer='xavier' is not allowed"),
        (["--activation", "Relu"], "did you mean 'relu'"),
        (["--batch-size", "-5"], "batch_size=-5 is not allowed"),
    ],
)
def test_bad_flag_exits_2_with_one_line(args, says, tmp_path):
    done = dnnlab(*args, "--log-dir", str(tmp_path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], done.stderr
    assert not any(tmp_path.iterdir())  # nothing written


def test_batch_larger_than_the_subset_exits_2_writing_nothing(mnist, tmp_path):
    done = dnnlab("--limit", "50", "--log-dir", str(tmp_path))
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "batch_size=100 is not allowed: expected at most the 50 training images "
            "(see --help)"
        )
    )
    assert not any(tmp_path.iterdir())


def test_flags_override_every_variant():
    seen = {}
    variants = {"a": Config(dropout=0.1), "b": Config(dropout=0.2)}
    run_cli(
        seen.update,
        variants,
        argv=["--epochs", "3", "--hidden-units", "64,32", "--no-tensorboard"],
    )
    assert seen["a"].epochs == seen["b"].epochs == 3
    assert seen["a"].hidden_units == (64, 32) and not seen["b"].tensorboard
    assert (seen["a"].dropout, seen["b"].dropout) == (0.1, 0.2)  # untouched fields stay


def test_a_labs_own_options_reach_main():
    options = {"trials": dict(default=20, type=int, help="trials")}
    got = []
    run_cli(
        lambda c, trials: got.append((c.epochs, trials)),
        Config(),
        ["--trials", "3"],
        options=options,
    )
    run_cli(
        lambda c, trials: got.append((c.epochs, trials)), Config(), [], options=options
    )
    assert got == [(10, 3), (10, 20)]


def test_none_widths_is_softmax_regression():
    got = []
    run_cli(got.append, Config(), argv=["--hidden-units", "none"])
    assert got[0].hidden_units == ()


def test_bad_data_folder_is_one_line(tmp_path):
    done = dnnlab(
        "--epochs",
        "1",
        "--log-dir",
        str(tmp_path),
        env={"DNNLAB_DATA_DIR": str(tmp_path / "missing"), "PATH": ""},
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "no such folder; put the four MNIST files (gzip or raw) in a folder and "
            "point "
            "DNNLAB_DATA_DIR at it, or unset it to use the Keras download"
        )
    )


def test_deterministic_runs_give_identical_numbers(mnist, tmp_path):
    flags = [
        "--deterministic",
        "--seed",
        "7",
        "--limit",
        "2000",
        "--epochs",
        "2",
        "--hidden-units",
        "64",
        "--dropout",
        "0.3",
        "--batch-norm",
        "before",
        "--no-tensorboard",
        "--log-dir",
        str(tmp_path),
    ]
    for _ in range(2):
        assert dnnlab(*flags).returncode == 0
    runs = sorted((tmp_path / "dnnlab").iterdir())
    assert len(runs) == 2  # two folders, nothing overwritten
    a, b = (json.loads((run / "result.json").read_text()) for run in runs)
    assert a["history"] == b["history"] and a["test_accuracy"] == b["test_accuracy"]
