"""train(config, data) -> Result: seed, build, fit with TensorBoard, test once.

(Named training.py so that `dnnlab.train` stays the function.)
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from dnnlab import device
from dnnlab.backend import keras
from dnnlab.config import Config, ConfigError
from dnnlab.data import Mnist, load_mnist, one_hot
from dnnlab.model import build_model, loss, optimizer
from dnnlab.result import Result
from dnnlab.runs import run_folder

# Images per evaluation batch: evaluation has no gradient, large batches are cheapest.
EVAL_BATCH = 1000


def check_fits(config: Config, data: Mnist):
    """The config's training and validation split, refusing a batch larger than it."""
    (x, y), val = data.split(config.validation_split, config.limit)
    if config.batch_size > len(x):
        raise ConfigError(
            f"batch_size={config.batch_size} is not allowed: "
            f"expected at most the {len(x)} training images"
        )
    return (x, y), val


def train(
    config: Config,
    data: Mnist | None = None,
    *,
    run_dir: Path | None = None,
    callbacks: list[keras.callbacks.Callback] = (),
    detail: bool = False,
    test: bool = True,
    verbose: int | None = None,
) -> Result:
    """Train one config; log to run_dir (default: a new logs/<name>/<timestamp>).

    Args:
        detail: also log batch scalars, the learning rate and activation histograms.
        test: evaluate the test set at the end; a search's trials must not
            (their test_loss and test_accuracy are then NaN).
        verbose: Keras' progress display; default: a bar on a terminal, else a line
            per epoch.
    """
    data = data if data is not None else load_mnist()
    (x, y), (x_val, y_val) = check_fits(config, data)
    run_dir = Path(run_dir) if run_dir else run_folder(config)
    run_dir.mkdir(parents=True, exist_ok=True)
    before = Result.load(run_dir) if config.resume else None
    if before is not None and before.status != "interrupted":
        print(f"{run_dir}: {before.status} earlier, kept")
        return before  # nothing to resume
    (run_dir / "config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n")
    for line in config.ignored():
        device.once(f"dnnlab: warning: {line}")
    targets = one_hot(y)
    if config.steps:  # one Keras epoch of exactly `steps` minibatches
        steps_per_epoch, epochs = config.steps, 1
        inputs = _stream(x, targets, config.batch_size, config.seed)
    else:
        steps_per_epoch = math.ceil(len(x) / config.batch_size)
        epochs, inputs = config.epochs, x

    keras.utils.set_random_seed(config.seed)  # Python, NumPy and the backend
    with device.setup(config.mixed_precision, config.deterministic):
        model = build_model(config)
        model.compile(
            optimizer=optimizer(config, steps_per_epoch * epochs),
            loss=loss(config),
            metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
            # Steps per compiled call: per-step Python overhead dominates an MLP's
            # step, so 50 by default; the loss is traced at the end of each call.
            steps_per_execution=config.trace_every,
            # "auto" compiles on GPUs and JAX; on TensorFlow's CPU only when asked.
            jit_compile=True if config.xla else "auto",
        )
    history, trace = keras.callbacks.History(), _Trace()
    cbs = [history, trace, keras.callbacks.TerminateOnNaN(), *callbacks]
    if config.curves:  # first: History and TensorBoard then see its numbers
        cbs.insert(0, _Curves((x, targets), (data.x_test, one_hot(data.y_test))))
    if config.tensorboard and not device.tensorboard_available():
        print("dnnlab: TensorBoard off (it writes through TensorFlow, not installed)")
    elif config.tensorboard:
        cbs.append(keras.callbacks.TensorBoard(str(run_dir), histogram_freq=1))
        if detail:
            from dnnlab.tboard import DetailedView

            sample = (x_val if len(x_val) else x)[:1000]
            cbs.append(DetailedView(run_dir, sample, every=config.trace_every))
    # Saved at the end of every epoch, after the logs; --resume restarts from it.
    backup = run_dir / "backup"
    done = _epochs_saved(backup) if before is not None else 0
    if config.checkpoint:
        cbs.append(keras.callbacks.BackupAndRestore(str(backup)))
    validation = (x_val, one_hot(y_val)) if len(x_val) else None
    start = time.perf_counter()
    status = "finished"
    try:
        model.fit(
            inputs,
            None if config.steps else targets,
            batch_size=None if config.steps else config.batch_size,
            steps_per_epoch=steps_per_epoch if config.steps else None,
            epochs=epochs,
            shuffle=not config.steps,  # the stream comes shuffled
            validation_data=validation,
            validation_batch_size=EVAL_BATCH,
            callbacks=cbs,
            verbose=(1 if sys.stdout.isatty() else 2) if verbose is None else verbose,
        )
    except KeyboardInterrupt:
        status = "interrupted"
    if config.tensorboard and keras.backend.backend() == "tensorflow":
        from dnnlab.tboard import write_graph

        write_graph(model, model.loss, run_dir)
    elif config.tensorboard and device.tensorboard_available():
        device.once("dnnlab: no op graph in TensorBoard on JAX (TensorFlow traces it)")
    epochs = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    diverged_at = next(
        (
            math.ceil(step / steps_per_epoch)
            for step, v in trace.trace
            if not math.isfinite(v)
        ),
        None,
    )
    if diverged_at is not None:
        status = "diverged"
    test_loss, test_acc = (
        model.evaluate(
            data.x_test, one_hot(data.y_test), batch_size=EVAL_BATCH, verbose=0
        )
        if test
        else (math.nan, math.nan)
    )
    _, train_acc = model.evaluate(x, targets, batch_size=EVAL_BATCH, verbose=0)
    if config.tensorboard and device.tensorboard_available() and test:
        from dnnlab.tboard import write_images

        write_images(model, data, run_dir)
    if before is not None:  # the interrupted run's saved epochs come first
        keys = {**before.history, **epochs}
        epochs = {k: before.history.get(k, [])[:done] + epochs.get(k, []) for k in keys}
        last = done * steps_per_epoch
        trace.trace[:0] = [t for t in before.trace if t[0] <= last]
    result = Result(
        config=config,
        history=epochs,
        test_loss=float(test_loss),
        test_accuracy=float(test_acc),
        train_accuracy=float(train_acc),
        params=model.count_params(),
        wall_time=time.perf_counter() - start,
        run_dir=run_dir,
        status=status,
        diverged_at=diverged_at,
        trace=trace.trace,
        model=model,
    )
    result.save()
    if status == "interrupted":
        raise KeyboardInterrupt(
            f"interrupted; results so far in {run_dir}; "
            "run again with --resume to go on from the last finished epoch"
        )
    return result


def _stream(x, targets, batch_size: int, seed: int):
    """Minibatches without end: pass after pass over the shuffled images, full
    batches only (the textbook draws each iteration's batch at random)."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(x))
        for i in range(0, len(x) - batch_size + 1, batch_size):
            batch = order[i : i + batch_size]
            yield x[batch], targets[batch]


class _Curves(keras.callbacks.Callback):
    """After each epoch, accuracy on the training set in inference mode (no dropout,
    batch norm's moving averages) and on the test set, as the textbook plots them."""

    def __init__(self, train, test):
        super().__init__()
        self.sets = {"inference_accuracy": train, "test_accuracy": test}

    def on_epoch_end(self, epoch, logs=None):
        for key, (x, y) in self.sets.items():
            _, accuracy = self.model.evaluate(x, y, batch_size=EVAL_BATCH, verbose=0)
            if logs is not None:
                logs[key] = float(accuracy)


def _epochs_saved(backup: Path) -> int:
    """How many epochs the BackupAndRestore checkpoint in `backup` holds."""
    meta = backup / "training_metadata.json"
    return json.loads(meta.read_text())["epoch"] if meta.is_file() else 0


class _Trace(keras.callbacks.Callback):
    """The training loss by iteration, at the end of each compiled call (trace_every).

    Keras reports the running mean of the epoch's loss; the mean over the steps since
    the last report follows from two running means, so the trace is exact.
    """

    def __init__(self):
        super().__init__()
        self.trace: list[tuple[int, float]] = []  # (iteration, mean loss since last)

    def on_epoch_begin(self, epoch, logs=None):
        self.seen, self.mean = 0, 0.0
        self.start = int(self.model.optimizer.iterations)

    def on_train_batch_end(self, batch, logs=None):
        # Not `batch`: after a short last execution Keras still counts a full one.
        step = int(self.model.optimizer.iterations)
        mean, seen = float((logs or {}).get("loss", 0.0)), step - self.start
        if seen > self.seen:
            chunk = (mean * seen - self.mean * self.seen) / (seen - self.seen)
            self.trace.append((step, chunk if math.isfinite(chunk) else math.inf))
            self.seen, self.mean = seen, mean
