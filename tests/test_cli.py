"""The command line every lab shares: flags from Config, errors in one line before
TensorFlow loads, help for every flag."""

import dataclasses
import json
import subprocess
import sys

import pytest
from conftest import LABS, run_lab

from dnnlab import Config, registry
from dnnlab.cli import parse

VARIANTS = {"a": Config(dropout=0.1), "b": Config(dropout=0.2)}


def refused(argv, capsys, configs=VARIANTS) -> str:
    with pytest.raises(SystemExit) as e:
        parse(configs, argv)
    assert e.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(
    "args, says",
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (
            ["--epoch", "3"],
            "unrecognized arguments: --epoch 3 (did you mean --epochs?)",
        ),
        (["--lr", "0.01"], "(did you mean --learning-rate?)"),
        (["--epochs", "three"], "argument --epochs: invalid int value: 'three'"),
        (["--dropout", "1.5"], "dropout=1.5 is not allowed"),
        (["--optimizer", "adamw"], "did you mean 'adam'"),
        (["--hidden-units", "256,x"], "argument --hidden-units"),
        (["--epochs", "0"], "epochs=0 is not allowed"),
        (["--resume", "--log-dir", "/nonexistent"], "resume=True is not allowed"),
        (
            ["--reg-lambda", "-0.1"],
            "reg_lambda=-0.1 is not allowed: expected a number >= 0",
        ),
        (["--learning-rate", "-1"], "learning_rate=-1.0 is not allowed"),
        (["--hidden-units", "256,0"], "hidden_units=(256, 0) is not allowed"),
        (["--initializer", "glorot"], "initializer='glorot' is not allowed"),
        (["--activation", "Relu"], "did you mean 'relu'"),
        (["--batch-size", "-5"], "batch_size=-5 is not allowed"),
        (["--batch-size", "10000000"], "expected at most the 54000 training images"),
        (["--limit", "50"], "batch_size=100 is not allowed: expected at most the 50"),
        (["--validation-split", "1"], "validation_split=1.0 is not allowed"),
        (["--seeds", "0"], "seeds=0 is not allowed"),
        (["--variants", "a,c"], "variants='c' is not allowed: expected some of a, b"),
        (["--hidden-units", "256,,256"], "'256,,256' has an empty part"),
        (["--hidden-units", "256,"], "'256,' has an empty part"),
        (["--variants", "a,"], "'a,' has an empty part: expected comma-separated"),
    ],
)
def test_bad_flag_exits_2_with_one_line(args, says, capsys):
    line = refused(args, capsys)
    assert says in line and line.endswith("(see --help)"), line


def test_a_renamed_flag_is_answered_with_its_new_name(capsys):
    # The search lab's LAB declares its renamed flags.
    lab = registry.BY_PATH["DNN_hyperparameter_search"].declaration()
    with pytest.raises(SystemExit):
        parse(lab.variants, ["--strategy", "a"], lab.options, lab.renamed)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--strategy a (--strategy is now --variants)" in line, line
    assert "is now" not in refused(["--strategy", "a"], capsys)  # not its flag


def test_flags_override_every_variant():
    flags = parse(
        VARIANTS, ["--epochs", "3", "--hidden-units", "64,32", "--no-tensorboard"]
    )
    a, b = flags.variants["a"], flags.variants["b"]
    assert a.epochs == b.epochs == 3
    assert a.hidden_units == (64, 32) and not b.tensorboard
    assert (a.dropout, b.dropout) == (0.1, 0.2)  # untouched fields stay
    assert flags.changed == {
        "epochs": 3,
        "hidden_units": (64, 32),
        "tensorboard": False,
    }


def test_lists_read_with_commas_or_spaces():
    for text in ("64,32", "64, 32", "64 32"):
        config = parse(VARIANTS, ["--hidden-units", text]).variants["a"]
        assert config.hidden_units == (64, 32), text
    chosen = parse(VARIANTS, ["--variants", "b, a"]).variants
    assert list(chosen) == ["a", "b"]  # in the lab's order


def test_a_labs_own_options_and_variants():
    options = {"trials": dict(default=20, type=int, help="trials")}
    assert parse(VARIANTS, ["--trials", "3"], options).options == {"trials": 3}
    assert parse(VARIANTS, [], options).options == {"trials": 20}
    assert list(parse(VARIANTS, ["--variants", "b"]).variants) == ["b"]


def test_none_widths_is_softmax_regression_and_zero_split_is_no_validation():
    flags = parse(VARIANTS, ["--hidden-units", "none", "--validation-split", "0"])
    assert flags.variants["a"].hidden_units == ()
    assert flags.variants["a"].train_images(60000) == 60000


def test_every_flag_has_help(capsys):
    with pytest.raises(SystemExit):
        parse(VARIANTS, ["--help"])
    out = " ".join(capsys.readouterr().out.split())  # unwrapped
    for field in dataclasses.fields(Config):
        assert field.metadata["help"].strip(), field.name
        assert "--" + field.name.replace("_", "-") in out
    assert "(per variant: 0.1, 0.2)" in out and "--seeds N" in out


def dnnlab(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "dnnlab", *args],
        capture_output=True,
        text=True,
        timeout=120,
        **kw,
    )


def quick_process(lab: str, logs, *flags: str) -> subprocess.CompletedProcess:
    """A lab's quick run (600 images, one epoch, no TensorBoard) as a real process."""
    quick = ["--limit", "600", "--epochs", "1", "--no-tensorboard"]
    return subprocess.run(
        [sys.executable, str(LABS / lab), *flags, *quick, "--log-dir", str(logs)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_a_real_process_refuses_before_tensorflow_loads(tmp_path):
    lab = str(LABS / "DNN_deep_hidden_layer5.py")
    code = (
        "import runpy, sys\n"
        f"sys.argv = [{lab!r}, '--batch-size', '10000000', '--log-dir', sys.argv[1]]\n"
        "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "except SystemExit as e:\n    print('EXIT', e.code)\n"
        "print('LOADED', 'tensorflow' in sys.modules or 'keras' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "EXIT 2" in done.stdout and "LOADED False" in done.stdout
    assert done.stderr.count("\n") == 1, done.stderr
    assert not any(tmp_path.iterdir())  # nothing written


@pytest.mark.slow
def test_python_m_dnnlab_names_itself_and_exits_2(tmp_path):
    done = dnnlab("--epoch", "3", "--log-dir", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("python -m dnnlab: error: "), done.stderr


@pytest.mark.slow
def test_bad_data_folder_is_one_line_exit_1(tmp_path):
    done = dnnlab(
        "--epochs",
        "1",
        "--log-dir",
        str(tmp_path),
        env={"DNNLAB_DATA_DIR": str(tmp_path / "missing"), "PATH": ""},
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.endswith(
        "no such folder; put the four MNIST files (gzip or raw) in a folder and point "
        "DNNLAB_DATA_DIR at it, or unset it to use the Keras download"
    ), done.stderr


@pytest.mark.slow
def test_a_lab_prints_no_tensorflow_start_up_lines(mnist, tmp_path):
    done = quick_process("DNN_softmax.py", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("dnnlab: backend "), done.stdout[:300]
    assert len(done.stderr.strip().splitlines()) <= 1, done.stderr


def test_a_backend_change_after_keras_loaded_is_refused(capsys):
    from dnnlab.backend import keras

    other = "jax" if keras.backend.backend() == "tensorflow" else "tensorflow"
    line = refused(["--backend", other], capsys)
    assert f"backend={other!r} is not possible here: Keras is already loaded" in line


@pytest.mark.slow
def test_backend_flag_runs_a_lab_on_jax_with_its_gradient_probe(mnist, tmp_path):
    done = quick_process("DNN_deep_hidden_layer5.py", tmp_path, "--backend", "jax")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("dnnlab: backend jax"), done.stdout[:300]
    (saved,) = tmp_path.glob("*/*/results.json")
    numbers = json.loads(saved.read_text())
    assert numbers["versions"]["backend"] == "jax"
    extras = numbers["variants"]["net"][0]["extras"]
    assert extras["sigmoid_ratio"] < 0.1 < extras["grad_ratio"], extras


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
    ]
    for _ in range(2):
        out, code = run_lab("DNN_deep_hidden_layer3", tmp_path, *flags)
        assert code == 0, out
    runs = sorted((tmp_path / "DNN_deep_hidden_layer3").iterdir())
    assert len(runs) == 2  # two folders, nothing overwritten
    a, b = (
        json.loads((r / "net" / "seed-7" / "result.json").read_text()) for r in runs
    )
    assert a["history"] == b["history"] and a["test_accuracy"] == b["test_accuracy"]
