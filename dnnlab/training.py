"""train(config, data) -> Result: seed, build, fit with TensorBoard, test once.

(Named training.py so that `dnnlab.train` stays the function.) train() reads as
its steps: open the run's folder, compile the net, its callbacks, fit, summarize.
"""

from __future__ import annotations

import math
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dnnlab import checkpoint, device, notebook, speedups
from dnnlab.backend import keras
from dnnlab.config import Config, ConfigError
from dnnlab.data import Mnist, load_mnist, one_hot
from dnnlab.evaluation import evaluate, predict  # noqa: F401 (predict: API)
from dnnlab.files import clean, write_json
from dnnlab.i18n import _, as_shown, msg, width
from dnnlab.model import build_model, loss, optimizer
from dnnlab.result import Result
from dnnlab.runs import run_folder

# A status an earlier run left, as the line that keeps it says it.
STATUS = {"finished": msg("finished"), "diverged": msg("diverged")}


def check_fits(config: Config, data: Mnist):
    """The config's training and validation split, refusing a batch larger than it."""
    (x, y), val = data.split(config.validation_split, config.limit)
    if config.batch_size > len(x):
        raise ConfigError(
            _(
                "batch_size={batch_size} is not allowed: "
                "expected at most the {images} training images"
            ).format(batch_size=config.batch_size, images=len(x))
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
    run = open_run(config, data if data is not None else load_mnist(), run_dir)
    if run.before is not None and run.before.status != "interrupted":
        print(_kept(run.before, run.folder))
        return run.before  # nothing to resume
    for line in config.ignored():
        device.once(_("dnnlab: warning: {line}").format(line=as_shown(line)))
    model = compiled(config, run.steps_per_epoch * run.epochs)
    if config.checkpoint:
        checkpoint.check_room(run.folder, model)
    if run.saved is not None:
        run.saved.restore(model)
        print(
            _("dnnlab: resumed after epoch {epoch} from {folder}").format(
                epoch=run.saved.epoch, folder=run.saved.folder
            )
        )
    cbs = _callbacks(run, list(callbacks), detail)
    start = time.perf_counter()
    status = _fit(model, run, cbs, verbose)
    if config.tensorboard:
        _op_graph(model, run.folder)
    result = _summarize(model, run, status, test, start)
    if result.status == "interrupted":
        raise KeyboardInterrupt(
            _(
                "interrupted; results so far in {folder}; "
                "run again with --resume to go on from the last finished epoch"
            ).format(folder=run.folder)
        )
    return result


def _kept(before: Result, folder: Path) -> str:
    """The line saying that an earlier run's finished or diverged result is kept."""
    status = as_shown(STATUS.get(before.status, before.status))
    return _("{folder}: {status} earlier, kept").format(folder=folder, status=status)


@dataclass
class Run:
    """One run: its config, data and folder, what it records as it trains, and
    what a stopped earlier run left in the folder (with config.resume)."""

    config: Config
    data: Mnist
    folder: Path
    train: tuple[np.ndarray, np.ndarray]  # images, one-hot targets
    val: tuple[np.ndarray, np.ndarray]
    history: keras.callbacks.History = field(default_factory=keras.callbacks.History)
    trace: Trace = field(default_factory=lambda: Trace())
    before: Result | None = None  # the earlier run's saved result
    saved: checkpoint.Saved | None = None  # its last checkpoint

    @property
    def steps_per_epoch(self) -> int:
        c = self.config
        return c.steps or math.ceil(len(self.train[0]) / c.batch_size)

    @property
    def epochs(self) -> int:
        """Keras epochs; a run counted in steps is one epoch of exactly `steps`."""
        return 1 if self.config.steps else self.config.epochs

    def record(self) -> tuple[dict[str, list[float]], list[tuple[int, float]]]:
        """(history, trace) so far: the checkpoint's epochs first, then this part's."""
        history = checkpoint.merged(self.saved, self.history.history)
        return history, (self.saved.trace if self.saved else []) + self.trace.trace

    @property
    def earlier(self) -> float:
        """Seconds the earlier parts ran: the interrupted result's or the
        checkpoint's."""
        return max(
            self.before.wall_time if self.before else 0,
            self.saved.wall_time if self.saved else 0,
        )


def open_run(config: Config, data: Mnist, run_dir: Path | None) -> Run:
    """The run's folder (new, given, or the latest with config.resume), what an
    earlier run left there, and its config.json."""
    (x, y), (x_val, y_val) = check_fits(config, data)
    folder = Path(run_dir) if run_dir else run_folder(config)
    folder.mkdir(parents=True, exist_ok=True)
    run = Run(config, data, folder, (x, one_hot(y)), (x_val, one_hot(y_val)))
    if config.resume:
        run.before = Result.load(folder)
    if run.before is not None and run.before.status != "interrupted":
        return run  # finished: kept as it is
    if config.resume:
        clean(folder)  # what a killed run left half-written
        run.saved = checkpoint.latest(folder)
    write_json(folder / "config.json", config.to_dict(), indent=2)
    return run


def compiled(config: Config, steps: int) -> keras.Model:
    """The config's net, seeded, compiled for `steps` optimizer steps in all."""
    keras.utils.set_random_seed(config.seed)  # Python, NumPy and the backend
    with device.setup(config.mixed_precision, config.deterministic):
        model = build_model(config)
        model.compile(
            optimizer=optimizer(config, steps),
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
    scan = keras.backend.backend() == "jax" and config.trace_every > 1
    if scan and not config.plain_keras:
        model.train_function = speedups.scanned(model)
    return model


def _callbacks(run: Run, extra: list, detail: bool) -> list:
    """Validation first (History, TensorBoard and the bar then see its numbers),
    the record, the checkpoint (before TensorBoard: an epoch TensorBoard shows has
    its checkpoint, so a resume never logs it twice), the bar, the caller's own,
    TensorBoard. With plain_keras: Keras' validation (fit's validation_data), its
    TerminateOnNaN and its progress bar."""
    c, (x, t), x_val = run.config, run.train, run.val[0]
    sets = {"val": run.val} if len(x_val) and not c.plain_keras else {}
    if c.curves:
        test = run.data.x_test, one_hot(run.data.y_test)
        sets.update(inference=run.train, test=test)
    if c.plain_keras:
        cbs = [_KerasCurves(sets)] if sets else []
        cbs += [run.history, run.trace, keras.callbacks.TerminateOnNaN()]
    else:
        cbs = [speedups.Evaluate(sets), run.history, run.trace, _StopOnNaN()]
    if c.checkpoint:
        cbs.append(checkpoint.Checkpoint(run.folder, run.record, run.earlier))
    cbs += ([] if c.plain_keras else [_Progress()]) + extra
    if c.tensorboard and not device.tensorboard_available():
        print(
            _("dnnlab: TensorBoard off (it writes through TensorFlow, not installed)")
        )
    elif c.tensorboard:
        cbs.append(keras.callbacks.TensorBoard(str(run.folder), histogram_freq=1))
        if detail:
            from dnnlab.tboard import DetailedView

            sample = (x_val if len(x_val) else x)[:1000]
            batch = x[: c.batch_size], t[: c.batch_size]
            cbs.append(DetailedView(run.folder, sample, batch, every=c.trace_every))
    return cbs


class _KerasCurves(keras.callbacks.Callback):
    """plain_keras's learning curves: Keras validates one set (val_), so the
    training set in inference mode and the test set are measured by Keras' own
    evaluate after each epoch (slower than speedups.Evaluate's forward pass)."""

    def __init__(self, sets: dict[str, tuple[np.ndarray, np.ndarray]]):
        super().__init__()
        self.sets = sets

    def on_epoch_end(self, epoch, logs=None):
        for name, (x, t) in self.sets.items():
            got = self.model.evaluate(
                x, t, batch_size=1000, verbose=0, return_dict=True
            )
            if logs is not None:
                logs.update({f"{name}_{k}": float(v) for k, v in got.items()})


def _fit(model: keras.Model, run: Run, cbs: list, verbose: int | None) -> str:
    """Keras' fit, from the checkpoint's epoch; "finished" or "interrupted"."""
    c, (x, t) = run.config, run.train
    if c.steps:  # the stream comes shuffled, in full batches
        inputs, targets = _stream(x, t, c.batch_size, c.seed, c.steps), None
    else:
        inputs, targets = x, t
    stop = _CtrlC()
    try:
        with stop:
            _keras_fit(model, run, inputs, targets, [stop, *cbs], verbose)
    except KeyboardInterrupt:
        return "interrupted"
    return "finished"


def _keras_fit(model, run: Run, inputs, targets, cbs: list, verbose) -> None:
    c = run.config
    model.fit(
        inputs,
        targets,
        batch_size=None if c.steps else c.batch_size,
        steps_per_epoch=c.steps or None,
        epochs=run.epochs,
        initial_epoch=run.saved.epoch if run.saved else 0,
        shuffle=not c.steps,
        # plain_keras: Keras' own validation, else speedups.Evaluate's.
        validation_data=run.val if c.plain_keras and len(run.val[0]) else None,
        callbacks=cbs,
        verbose=(1 if sys.stdout.isatty() or notebook.active() else 2)
        if verbose is None
        else verbose,
    )


class _CtrlC(keras.callbacks.Callback):
    """Ctrl-C during fit stops the run at the next batch's end or epoch's start,
    never inside an epoch's end: there the checkpoint is written and then
    TensorBoard's point, and a stop between them would leave that epoch out of
    TensorBoard after --resume. A second Ctrl-C stops at once."""

    def __enter__(self):
        self.asked, self.installed = False, False
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._ask)
            self.previous = self.previous or signal.default_int_handler
            self.installed = True
        return self

    def __exit__(self, *exc):
        if self.installed:
            signal.signal(signal.SIGINT, self.previous)

    def _ask(self, signum, frame):
        self.asked = True
        signal.signal(signal.SIGINT, self.previous)  # the next one is at once

    def _check(self, *args, **kwargs):
        if self.asked:
            self.asked = False
            raise KeyboardInterrupt

    on_train_batch_end = on_epoch_begin = _check


def _op_graph(model: keras.Model, folder: Path) -> None:
    """The op graph of a training step in TensorBoard (TensorFlow traces it)."""
    if keras.backend.backend() == "tensorflow":
        from dnnlab.tboard import write_graph

        write_graph(model, model.loss, folder)
    elif device.tensorboard_available():
        device.once(
            _("dnnlab: no op graph in TensorBoard on JAX (TensorFlow traces it)")
        )


def _summarize(model, run: Run, status: str, test: bool, start: float) -> Result:
    """The run's Result, the earlier parts' epochs first, saved; the checkpoint
    removed once the run is over."""
    c, data = run.config, run.data
    history, trace = run.record()
    history = {k: [float(v) for v in vs] for k, vs in history.items()}
    diverged_at = _diverged(trace, run.steps_per_epoch)
    status = "diverged" if diverged_at is not None else status
    nan = math.nan
    test_loss, test_acc, p = (
        evaluate(model, data.x_test, one_hot(data.y_test)) if test else (nan, nan, None)
    )
    if c.curves and status == "finished":  # the last epoch's, same weights
        train_acc = history["inference_accuracy"][-1]
    else:
        train_acc = evaluate(model, *run.train)[1]
    if c.tensorboard and device.tensorboard_available() and test:
        from dnnlab.tboard import write_images

        write_images(model, data, p, run.folder)
    result = Result(
        config=c,
        history=history,
        test_loss=float(test_loss),
        test_accuracy=float(test_acc),
        train_accuracy=float(train_acc),
        params=model.count_params(),
        wall_time=run.earlier + time.perf_counter() - start,
        run_dir=run.folder,
        status=status,
        diverged_at=diverged_at,
        trace=trace,
        model=model,
    )
    result.save()
    if status != "interrupted":
        checkpoint.remove(run.folder)
    return result


def _diverged(trace: list[tuple[int, float]], steps_per_epoch: int) -> int | None:
    """The 1-based epoch whose traced loss was first no longer finite, said once."""
    step = next((s for s, v in trace if not math.isfinite(v)), None)
    if step is None:
        return None
    epoch = math.ceil(step / steps_per_epoch)
    print(
        _(
            "dnnlab: the training loss was no longer finite by step {step} "
            "(epoch {epoch}): training stopped there, reported as diverged"
        ).format(step=step, epoch=epoch)
    )
    return epoch


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
            room -= width(name) + 16  # columns: a Hangul syllable takes two
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
