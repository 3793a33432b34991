"""Every lab end to end in quick mode: a small subset, one epoch."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

LABS = Path(__file__).parent.parent / "labs"
QUICK = ["--limit", "600", "--epochs", "1"]


def run_lab(name: str, logs: Path, *flags: str) -> str:
    done = subprocess.run(
        [
            sys.executable,
            str(LABS / f"{name}.py"),
            *QUICK,
            "--log-dir",
            str(logs),
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def tags(folder: Path) -> dict:
    acc = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    acc.Reload()
    return acc.Tags()


def runs(logs: Path, name: str) -> list[Path]:
    """The variant folders of the lab's one comparison run."""
    (stamp,) = (logs / name).iterdir()
    return sorted(p for p in stamp.iterdir() if p.is_dir())


@pytest.mark.usefixtures("mnist")
@pytest.mark.parametrize(
    "name, variants",
    [
        ("DNN_softmax", ["keras"]),
        ("DNN_deep_hidden_layer3", ["relu"]),
        ("DNN_deep_hidden_layer5", ["relu"]),
        ("DNN_deep_hidden_layer5_tensorboard", ["relu", "sigmoid"]),
        ("DNN_initializer", ["he", "normal_0.01", "normal_1.0", "xavier"]),
        (
            "DNN_regularization",
            ["l1_1e-3", "l1_3e-4", "l2_1e-2", "l2_1e-3", "l2_3e-2", "none"],
        ),
        ("DNN_batch_normalization", ["he", "he+bn", "normal_0.01", "normal_0.01+bn"]),
        ("DNN_cost_function", ["cross_entropy", "mse"]),
        (
            "DNN_activation",
            ["elu", "leaky_relu", "prelu", "relu", "selu", "sigmoid", "tanh"],
        ),
        (
            "DNN_learning_rate",
            [
                "adam_0.0001",
                "adam_0.001",
                "adam_0.01",
                "sgd_0.0001",
                "sgd_0.001",
                "sgd_0.01",
                "sgd_0.1",
                "sgd_1",
                "sgd_10",
            ],
        ),
        (
            "DNN_optimizer",
            ["adagrad", "adam", "momentum", "nesterov", "rmsprop", "sgd"],
        ),
        ("DNN_dropout", ["dropout_0", "dropout_0.2", "dropout_0.5", "too_small"]),
    ],
)
def test_lab_runs_prints_its_table_and_logs_every_variant(name, variants, tmp_path):
    out = run_lab(name, tmp_path)
    assert re.search(rf"^{name}\s+train acc\s+test acc", out, re.M), out
    folders = runs(tmp_path, name)
    assert [f.name for f in folders] == variants
    for folder in folders:
        assert "epoch_loss" in tags(folder / "train")["tensors"]
        assert "epoch_accuracy" in tags(folder / "validation")["tensors"]
        assert (folder / "result.json").is_file()
    assert (folders[0].parent / "compare.png").stat().st_size > 10_000
    assert f"tensorboard --logdir {tmp_path / name}" in out


def test_tensorboard_lab_logs_histograms_batches_and_graph(mnist, tmp_path):
    run_lab("DNN_deep_hidden_layer5_tensorboard", tmp_path, "--limit", "6000")
    train = tags(runs(tmp_path, "DNN_deep_hidden_layer5_tensorboard")[0] / "train")
    names = set(train["tensors"])
    assert {f"activations/act_{i}" for i in range(1, 6)} <= names
    for weights in ("dense_1/kernel/histogram", "dense_5/bias/histogram"):
        assert any(name.endswith(weights) for name in names), sorted(names)
    assert {"batch_loss", "batch_learning_rate", "epoch_learning_rate"} <= names
    acc = EventAccumulator(
        str(runs(tmp_path, "DNN_deep_hidden_layer5_tensorboard")[0] / "train")
    )
    acc.Reload()
    assert [e.step for e in acc.Tensors("batch_loss")] == [50]  # every 50 of 60 batches
    assert "keras" in names  # the model graph


def test_softmax_formulations_agree(mnist, tmp_path):
    # Same initial weights and data; only the order of the batches differs.
    out = run_lab("DNN_softmax", tmp_path, "--limit", "12000")
    keras_acc, tape_acc = map(float, re.findall(r"([\d.]+)%", out.splitlines()[-1]))
    assert keras_acc > 85 and abs(keras_acc - tape_acc) < 1.0, out


def test_initializer_lab_saves_the_activation_figure(mnist, tmp_path):
    out = run_lab("DNN_initializer", tmp_path)
    (stamp,) = (tmp_path / "DNN_initializer").iterdir()
    assert (stamp / "activations.png").stat().st_size > 10_000
    stds = dict(re.findall(r"^  (\S+)\s+([\d.e+\- ]+)$", out, re.M))
    first, last = (float(s) for s in stds["normal_0.01"].split()[::4])
    assert (
        last < first / 100
    )  # the small normal start shrinks the signal layer by layer


def test_sigmoid_gradient_vanishes_toward_the_input(mnist, tmp_path):
    ratio = {}
    for act in ("sigmoid", "relu"):
        out = run_lab("DNN_deep_hidden_layer5", tmp_path / act, "--activation", act)
        ratio[act] = float(
            re.search(r"first hidden / last hidden = ([\d.e+-]+)", out)[1]
        )
    assert ratio["sigmoid"] < 0.1 < ratio["relu"], ratio


@pytest.mark.parametrize(
    "name, figure",
    [
        ("DNN_learning_rate", "loss_by_iteration.png"),
        ("DNN_optimizer", "loss_by_iteration.png"),
        ("DNN_dropout", "train_vs_validation.png"),
    ],
)
def test_lab_figures(name, figure, mnist, tmp_path):
    run_lab(name, tmp_path, "--no-tensorboard")
    (stamp,) = (tmp_path / name).iterdir()
    assert (stamp / figure).stat().st_size > 10_000


def test_diverging_learning_rate_is_reported_and_the_lab_goes_on(mnist, tmp_path):
    out = run_lab(
        "DNN_learning_rate",
        tmp_path,
        "--learning-rate",
        "1e6",
        "--activation",
        "linear",
        "--no-tensorboard",
    )
    rows = [line for line in out.splitlines() if line.startswith(("  sgd_", "  adam_"))]
    assert len(rows) == 9  # every variant ran and has its row
    assert all("diverged at epoch 1" in row for row in rows if row.startswith("  sgd_"))


def test_softmax_outputs_sum_to_one(mnist, tmp_path):
    out = run_lab("DNN_cost_function", tmp_path, "--no-tensorboard")
    sums = [float(s) for s in re.findall(r"sum = ([\d.]+)", out)]
    assert len(sums) == 3 and all(abs(s - 1) < 1e-5 for s in sums)
