import json

import keras
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util.tensor_util import make_ndarray

from dnnlab import Config, ConfigError, train

QUICK = dict(hidden_units=(64,), epochs=2, limit=6000, seed=3)


def scalars(folder):
    """{tag: values by step} of the scalar summaries, via TensorBoard's own reader."""
    acc = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    acc.Reload()
    out = {}
    for tag in acc.Tags()["tensors"]:
        values = [make_ndarray(t.tensor_proto) for t in acc.Tensors(tag)]
        if all(v.ndim == 0 and v.dtype.kind == "f" for v in values):
            out[tag] = [float(v) for v in values]
    return out


@pytest.fixture(scope="module")
def run(mnist, tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    return train(Config(name="t", log_dir=str(logs), **QUICK), mnist)


def test_short_training_beats_85_percent(run):
    assert run.test_accuracy > 0.85
    assert run.status == "finished" and run.diverged_at is None
    assert len(run.history["val_accuracy"]) == 2
    assert run.params == 784 * 64 + 64 + 64 * 10 + 10
    assert run.wall_time > 0


def test_tensorboard_events_hold_epoch_loss_and_accuracy(run):
    for split in ("train", "validation"):
        tags = scalars(run.run_dir / split)
        for tag in ("epoch_loss", "epoch_accuracy"):
            assert len(tags[tag]) == 2, (split, tag, sorted(tags))
    # The logged validation accuracy is the one in the history.
    logged = scalars(run.run_dir / "validation")["epoch_accuracy"]
    assert logged == pytest.approx(run.history["val_accuracy"], abs=1e-6)


def test_weight_histograms_are_written(run):
    acc = EventAccumulator(str(run.run_dir / "train"), size_guidance={"tensors": 0})
    acc.Reload()
    assert any("kernel" in tag for tag in acc.Tags()["tensors"])


def test_config_and_result_are_saved(run):
    saved = json.loads((run.run_dir / "config.json").read_text())
    assert Config(**saved) == run.config
    result = json.loads((run.run_dir / "result.json").read_text())
    assert result["test_accuracy"] == pytest.approx(run.test_accuracy)
    assert result["history"]["loss"] == run.history["loss"]


def test_same_seed_same_numbers(mnist, tmp_path):
    config = Config(log_dir=str(tmp_path), tensorboard=False, **{**QUICK, "epochs": 1})
    a, b = train(config, mnist), train(config, mnist)
    assert a.history["loss"] == b.history["loss"]
    assert a.test_accuracy == b.test_accuracy


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="on JAX Keras' cross-entropy clips the probabilities: the loss of a "
    "diverging net stays finite (12-16 here), so it shows as overshooting",
)
def test_divergence_is_reported_not_raised(mnist, tmp_path, capfd):
    config = Config(
        log_dir=str(tmp_path),
        optimizer="sgd",
        learning_rate=1e6,
        activation="linear",
        **QUICK,
    )
    result = train(config, mnist)
    shown = capfd.readouterr().out
    assert "Invalid loss" not in shown  # Keras' bare line, said in words instead:
    assert "no longer finite by step " in shown and "reported as diverged" in shown
    assert result.status == "diverged" and result.diverged_at == 1
    assert json.loads((result.run_dir / "result.json").read_text())["diverged_at"] == 1


def test_batch_larger_than_training_set(mnist, tmp_path):
    with pytest.raises(ConfigError, match="batch_size=500 .* 300 training images"):
        train(Config(log_dir=str(tmp_path), limit=300, batch_size=500), mnist)


def test_loss_trace_by_iteration_averages_to_the_epoch_loss(run):
    steps = [step for step, _ in run.trace]
    assert steps == [50, 60, 110, 120]  # 60 batches an epoch, 50 per execution
    first = [(step, loss) for step, loss in run.trace if step <= 60]
    sizes = [b - a for (a, _), (b, _) in zip([(0, 0), *first], first, strict=False)]
    mean = sum(n * loss for n, (_, loss) in zip(sizes, first, strict=True)) / 60
    assert mean == pytest.approx(run.history["loss"][0], rel=1e-4)


def test_batch_norm_is_right_in_inference_after_a_short_run(mnist, tmp_path):
    # 200 steps, as the textbook's batch-norm figure: the moving averages must have
    # settled, so inference-mode accuracy agrees with the accuracy during training
    # (with Keras' default momentum 0.99: 10.5 % against 100 %).
    config = Config(
        hidden_units=(100,) * 5,
        batch_norm="before",
        optimizer="sgd",
        learning_rate=0.01,
        limit=1000,
        epochs=20,
        validation_split=0,
        initializer="random_normal",
        init_std=0.01,
        tensorboard=False,
        log_dir=str(tmp_path),
    )
    r = train(config, mnist, verbose=0)
    assert abs(r.history["accuracy"][-1] - r.train_accuracy) < 0.02, (
        r.history["accuracy"][-1],
        r.train_accuracy,
    )


def test_softmax_regression_writes_its_ten_templates(mnist, tmp_path):
    config = Config(hidden_units=(), limit=600, epochs=1, log_dir=str(tmp_path))
    r = train(config, mnist, verbose=0)
    for png in ("templates.png", "confusion.png", "misclassified.png"):
        assert (r.run_dir / png).stat().st_size > 10_000


def test_evaluate_matches_keras_evaluate(mnist):
    """dnnlab's forward-pass evaluation reports what Keras' evaluate does: the
    compiled loss plus the weight penalty, accuracy in inference mode."""
    import keras

    from dnnlab.data import one_hot
    from dnnlab.model import build_model, loss
    from dnnlab.training import evaluate

    config = Config(
        hidden_units=(32, 32),
        batch_norm="before",
        dropout=0.3,
        regularizer="l2",
        reg_lambda=0.01,
        seed=1,
    )
    keras.utils.set_random_seed(1)
    model = build_model(config)
    model.compile(optimizer="adam", loss=loss(config), metrics=["accuracy"])
    x, t = mnist.x_train[:2000], one_hot(mnist.y_train[:2000])
    model.fit(x, t, batch_size=100, epochs=1, verbose=0)
    x, t = mnist.x_test[:12_345], one_hot(mnist.y_test[:12_345])  # a short last chunk
    want = model.evaluate(x, t, batch_size=1000, verbose=0)
    got_loss, got_accuracy, p = evaluate(model, x, t)
    assert sum(float(w) for w in model.losses) > 0.01  # the penalty counts
    assert got_loss == pytest.approx(want[0], rel=1e-4)
    assert got_accuracy == pytest.approx(want[1], abs=1e-6)
    assert p.shape == (len(x), 10)


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="tf.function's tracing"
)
def test_the_training_step_is_traced_once(mnist, tmp_path, monkeypatch):
    """The optimizer is built before fit: on TensorFlow a first step that creates its
    variables is traced twice, which doubled the first epoch's tracing."""
    traces = []
    step = keras.Sequential.train_step

    def counted(self, *args):
        traces.append(1)
        return step(self, *args)

    monkeypatch.setattr(keras.Sequential, "train_step", counted)
    config = Config(name="t", log_dir=str(tmp_path), tensorboard=False, **QUICK)
    train(config, mnist, verbose=0)
    assert len(traces) == 1


def in_terminal(argv: list[str], columns: int) -> tuple[int, str]:
    """Run argv in a pseudo-terminal `columns` wide: (exit code, what it showed)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.wait(timeout=60), shown.decode(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize(
    "lab, flags, steps",
    [
        ("DNN_softmax.py", ["--epochs", "1"], 540),  # 54,000 images in batches of 100
        ("DNN_regularization.py", ["--epochs", "1"], 10),  # 1,000 images
        ("papers/ioffe2015_fig1.py", ["--steps", "120"], 120),
    ],
)
def test_the_progress_bar_counts_the_real_steps_within_the_terminal(
    tmp_path, lab, flags, steps
):
    import re
    import sys
    from pathlib import Path

    labs = Path(__file__).parent.parent / "labs"
    argv = [sys.executable, str(labs / lab), *flags, "--no-tensorboard"]
    code, shown = in_terminal([*argv, "--log-dir", str(tmp_path)], columns=80)
    assert code == 0, shown[-2000:]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown).replace("\b", "")
    bars = [s for s in re.split(r"[\r\n]", plain) if "/step" in s or "━" in s]
    counts = [tuple(map(int, c)) for b in bars for c in re.findall(r"(\d+)/(\d+) ", b)]
    assert counts and counts[-1] == (steps, steps), bars[-3:]
    assert all(done <= total == steps for done, total in counts), counts
    assert max(len(b.rstrip()) for b in bars) <= 80, max(bars, key=len)


@pytest.mark.xdist_group("determinism")
def test_op_determinism_does_not_leak_between_tests(mnist, tmp_path):
    """A deterministic run turns it on for the process (as in a lab); conftest
    turns it off after the test, so that no later test runs deterministic."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("TensorFlow's op determinism")
    from tensorflow.python.framework import config as tf_config

    from dnnlab import Config, train

    small = Config(hidden_units=(8,), limit=200, epochs=1, tensorboard=False)
    train(small.replace(deterministic=True), mnist, run_dir=tmp_path, verbose=0)
    assert tf_config.is_op_determinism_enabled()  # on for the process, as in a lab


@pytest.mark.xdist_group("determinism")
def test_op_determinism_is_off_in_the_next_test():
    import sys

    if "tensorflow" in sys.modules:  # run after the one above on the same worker
        from tensorflow.python.framework import config as tf_config

        assert not tf_config.is_op_determinism_enabled()
