"""train(config, data) -> Result: seed, build, fit with TensorBoard, test once.

(Named training.py so that `dnnlab.train` stays the function.)
"""

from __future__ import annotations

import itertools
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from dnnlab import checkpoint, device
from dnnlab.backend import keras
from dnnlab.config import Config, ConfigError
from dnnlab.data import Mnist, load_mnist, one_hot
from dnnlab.files import clean, write_json
from dnnlab.model import build_model, loss, optimizer
from dnnlab.result import Result
from dnnlab.runs import run_folder

# Images per forward pass when evaluating: no gradient, so large chunks are cheapest.
EVAL_CHUNK = 10_000


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
    if config.resume:
        clean(run_dir)
    saved = checkpoint.latest(run_dir) if config.resume else None
    # Seconds the earlier parts ran: the interrupted result's or the checkpoint's.
    earlier = max(before.wall_time if before else 0, saved.wall_time if saved else 0)
    write_json(run_dir / "config.json", config.to_dict(), indent=2)
    for line in config.ignored():
        device.once(f"dnnlab: warning: {line}")
    targets = one_hot(y)
    if config.steps:  # one Keras epoch of exactly `steps` minibatches
        steps_per_epoch, epochs = config.steps, 1
        inputs = _stream(x, targets, config.batch_size, config.seed, config.steps)
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
        # Built here, not inside the first traced step: on TensorFlow a step that
        # creates variables is traced a second time, which doubles the first
        # epoch's tracing.
        model.optimizer.build(model.trainable_variables)
    if config.checkpoint:
        checkpoint.check_room(run_dir, model)
    if saved is not None:
        saved.restore(model)
        print(f"dnnlab: resumed after epoch {saved.epoch} from {saved.folder}")
    if keras.backend.backend() == "jax" and config.trace_every > 1:
        model.train_function = _scanned(model)
    history, trace = keras.callbacks.History(), Trace()
    sets = {"val": (x_val, one_hot(y_val))} if len(x_val) else {}
    if config.curves:
        sets.update(inference=(x, targets), test=(data.x_test, one_hot(data.y_test)))
    # First: History, TensorBoard and the progress bar then see its numbers.
    cbs = [_Evaluate(sets), history, trace, _StopOnNaN()]
    # Before TensorBoard: an epoch it shows has its checkpoint, so a resume
    # does not log that epoch a second time.
    if config.checkpoint:
        cbs.append(checkpoint.Checkpoint(run_dir, history, trace, saved, earlier))
    cbs.append(_Progress())
    cbs += callbacks
    if config.tensorboard and not device.tensorboard_available():
        print("dnnlab: TensorBoard off (it writes through TensorFlow, not installed)")
    elif config.tensorboard:
        cbs.append(keras.callbacks.TensorBoard(str(run_dir), histogram_freq=1))
        if detail:
            from dnnlab.tboard import DetailedView

            sample = (x_val if len(x_val) else x)[:1000]
            batch = x[: config.batch_size], targets[: config.batch_size]
            cbs.append(DetailedView(run_dir, sample, batch, every=config.trace_every))
    start = time.perf_counter()
    status = "finished"
    try:
        model.fit(
            inputs,
            None if config.steps else targets,
            batch_size=None if config.steps else config.batch_size,
            steps_per_epoch=steps_per_epoch if config.steps else None,
            epochs=epochs,
            initial_epoch=saved.epoch if saved else 0,
            shuffle=not config.steps,  # the stream comes shuffled
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
    epochs = checkpoint.merged(saved, history.history)
    epochs = {k: [float(v) for v in vs] for k, vs in epochs.items()}
    trace.trace[:0] = saved.trace if saved else []
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
        step = next(step for step, v in trace.trace if not math.isfinite(v))
        print(
            f"dnnlab: the training loss was no longer finite by step {step} "
            f"(epoch {diverged_at}): training stopped there, reported as diverged"
        )
    test_loss, test_acc, p = (
        evaluate(model, data.x_test, one_hot(data.y_test))
        if test
        else (math.nan, math.nan, None)
    )
    if config.curves and status == "finished":  # the last epoch's, same weights
        train_acc = epochs["inference_accuracy"][-1]
    else:
        _, train_acc, _ = evaluate(model, x, targets)
    if config.tensorboard and device.tensorboard_available() and test:
        from dnnlab.tboard import write_images

        write_images(model, data, p, run_dir)
    result = Result(
        config=config,
        history=epochs,
        test_loss=float(test_loss),
        test_accuracy=float(test_acc),
        train_accuracy=float(train_acc),
        params=model.count_params(),
        wall_time=earlier + time.perf_counter() - start,
        run_dir=run_dir,
        status=status,
        diverged_at=diverged_at,
        trace=trace.trace,
        model=model,
    )
    result.save()
    if status != "interrupted":
        checkpoint.remove(run_dir)
    if status == "interrupted":
        raise KeyboardInterrupt(
            f"interrupted; results so far in {run_dir}; "
            "run again with --resume to go on from the last finished epoch"
        )
    return result


def _stream(x, targets, batch_size: int, seed: int, steps: int):
    """`steps` minibatches: pass after pass over the shuffled images, full batches
    only (the textbook draws each iteration's batch at random). Finite: from an
    endless one Keras would run the last execution's trace_every steps in full."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(x))
        for i in range(0, len(x) - batch_size + 1, batch_size):
            if steps == 0:
                return
            steps -= 1
            batch = order[i : i + batch_size]
            yield x[batch], targets[batch]


def predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """The net's outputs in inference mode (no dropout, batch norm's moving averages).

    A plain call on large chunks: on a CPU it is faster than Keras' predict and
    evaluate, which trace a compiled function first and feed batches through a
    dataset.
    """
    chunks = [
        keras.ops.convert_to_numpy(model(x[i : i + EVAL_CHUNK], training=False))
        for i in range(0, len(x), EVAL_CHUNK)
    ]
    return np.concatenate(chunks).astype(np.float32)


def evaluate(model: keras.Model, x: np.ndarray, targets: np.ndarray):
    """(loss, accuracy, outputs) as Keras' evaluate reports them: the compiled loss
    with the weight penalty, and the share of argmax hits."""
    p = predict(model, x)
    penalty = sum(float(keras.ops.convert_to_numpy(w)) for w in model.losses)
    loss = float(keras.ops.convert_to_numpy(model.loss(targets, p))) + penalty
    return loss, float(np.mean(p.argmax(axis=1) == targets.argmax(axis=1))), p


class _Evaluate(keras.callbacks.Callback):
    """After each epoch, loss and accuracy of each named set in inference mode, put
    into the epoch's logs: `val` (Keras' val_loss, val_accuracy) and, for the
    textbook's curves, `inference` (the training set) and `test`."""

    def __init__(self, sets: dict[str, tuple[np.ndarray, np.ndarray]]):
        super().__init__()
        self.sets = sets

    def on_epoch_end(self, epoch, logs=None):
        for name, (x, t) in self.sets.items():
            loss, accuracy, _ = evaluate(self.model, x, t)
            if logs is not None:
                logs.update({f"{name}_loss": loss, f"{name}_accuracy": accuracy})


def _scanned(model: keras.Model):
    """Keras' train function on JAX, with each execution's steps (trace_every) in one
    compiled lax.scan instead of a Python loop of compiled steps: the same steps,
    one dispatch. A short last execution is padded and its extra steps skipped."""
    import jax

    k, step = model.steps_per_execution, model.train_step

    def steps(state, batches, valid):
        def body(carry, inputs):
            def run(carry):
                logs, state = step(carry[0], inputs[0])
                return state, logs

            return jax.lax.cond(inputs[1], run, lambda carry: carry, carry), None

        first = jax.tree.map(lambda b: b[0], batches)
        logs = jax.eval_shape(lambda s, b: step(s, b)[0], state, first)
        logs = jax.tree.map(lambda a: jax.numpy.zeros(a.shape, a.dtype), logs)
        (state, logs), _ = jax.lax.scan(body, (state, logs), (batches, valid))
        return logs, state

    steps = jax.jit(steps, donate_argnums=0)
    one = jax.jit(step, donate_argnums=0)  # a last batch smaller than the others

    def train_function(state, iterator):
        batches = list(itertools.islice(iterator, k))
        if not batches:
            raise StopIteration
        size = len(jax.tree.leaves(batches[0])[0])
        full = [b for b in batches if len(jax.tree.leaves(b)[0]) == size]
        padded = full + full[-1:] * (k - len(full))
        stacked = jax.tree.map(lambda *b: np.stack(b), *padded)
        logs, state = steps(state, stacked, np.arange(k) < len(full))
        for batch in batches[len(full) :]:
            logs, state = one(state, batch)
        return logs, state

    return train_function


class _Progress(keras.callbacks.ProgbarLogger):
    """Keras' progress bar, counting the epoch's real steps (Keras reports a short
    last execution of trace_every steps as a full one, past the epoch's end), and
    on a terminal only the numbers that fit on its line."""

    def on_train_batch_end(self, batch, logs=None):
        last = self.target - 1 if self.target else batch
        super().on_train_batch_end(min(batch, last), self._fitting(logs))

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, self._fitting(logs))

    def _fitting(self, logs):
        if self.verbose != 1 or not logs:
            return logs
        # "540/540 ━━…━━ 12s 20ms/step", then " - name: 0.1234" per number.
        room = shutil.get_terminal_size().columns - 2 * len(str(self.target)) - 40
        kept = {}
        for name, value in logs.items():
            room -= len(name) + 16
            if room < 0:
                break
            kept[name] = value
        return kept


class _StopOnNaN(keras.callbacks.Callback):
    """Keras' TerminateOnNaN without its bare "Batch 49: Invalid loss, terminating
    training" line: train() says it in words, with the step and epoch."""

    def on_train_batch_end(self, batch, logs=None):
        if not math.isfinite(float((logs or {}).get("loss", 0.0))):
            self.model.stop_training = True


class Trace(keras.callbacks.Callback):
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
