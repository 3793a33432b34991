"""train(config, data) -> Result: seed, build, fit with TensorBoard, test once.

(Named training.py so that `dnnlab.train` stays the function.)
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras

from dnnlab import device
from dnnlab.config import Config, ConfigError
from dnnlab.data import Mnist, load_mnist, one_hot
from dnnlab.model import build_model, loss, optimizer
from dnnlab.runs import run_folder

# Batches per compiled call: the per-batch Python overhead dominates an MLP's step.
STEPS_PER_EXECUTION = 50
# XLA: "auto" compiles on GPUs and JAX; bench/bench.py measures True against it on CPU.
JIT_COMPILE = "auto"
# Images per evaluation batch: evaluation has no gradient, large batches are cheapest.
EVAL_BATCH = 1000


@dataclass
class Result:
    """What one training run produced."""

    config: Config
    history: dict[str, list[float]]  # per epoch: loss, accuracy, val_loss, val_accuracy
    test_loss: float
    test_accuracy: float
    train_accuracy: float  # on the training images, in inference mode (no dropout)
    params: int
    wall_time: float  # seconds from the start of fit to the end of the test evaluation
    run_dir: Path
    status: str = "finished"  # finished, diverged or interrupted
    diverged_at: int | None = None  # 1-based epoch whose loss became NaN or infinite
    trace: list[tuple[int, float]] = field(default_factory=list)  # (iteration, loss)
    model: keras.Model | None = field(default=None, repr=False, compare=False)

    def epochs_to(self, accuracy: float, metric: str = "val_accuracy") -> int | None:
        """The first epoch (1-based) at which `metric` reached `accuracy`, or None."""
        return next(
            (i for i, v in enumerate(self.history[metric], 1) if v >= accuracy), None
        )

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del d["model"], d["config"]
        d["run_dir"] = str(self.run_dir)
        return d

    @classmethod
    def load(cls, run_dir: Path, config: Config) -> Result | None:
        """The result saved in run_dir, or None if there is none."""
        path = Path(run_dir) / "result.json"
        if not path.is_file():
            return None
        d = json.loads(path.read_text())
        d.update(run_dir=Path(d["run_dir"]), trace=[tuple(t) for t in d["trace"]])
        return cls(config=config, **d)


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
) -> Result:
    """Train one config; log to run_dir (default: a new logs/<name>/<timestamp>).

    Args:
        detail: also log batch scalars, the learning rate and activation histograms.
        test: evaluate the test set at the end; a search's trials must not
            (their test_loss and test_accuracy are then NaN).
    """
    data = data if data is not None else load_mnist()
    (x, y), (x_val, y_val) = check_fits(config, data)
    run_dir = Path(run_dir) if run_dir else run_folder(config)
    run_dir.mkdir(parents=True, exist_ok=True)
    before = Result.load(run_dir, config) if config.resume else None
    if before is not None and before.status != "interrupted":
        print(f"{run_dir}: {before.status} earlier, kept")
        return before  # nothing to resume
    (run_dir / "config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n")
    steps_per_epoch = math.ceil(len(x) / config.batch_size)
    targets = one_hot(y)

    keras.utils.set_random_seed(config.seed)  # Python, NumPy and the backend
    with device.setup(config.mixed_precision, config.deterministic):
        model = build_model(config)
        model.compile(
            optimizer=optimizer(config, steps_per_epoch * config.epochs),
            loss=loss(config),
            metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
            steps_per_execution=STEPS_PER_EXECUTION,
            jit_compile=JIT_COMPILE,
        )
    watch = _Watch()
    cbs = [watch, *callbacks]
    if config.tensorboard and not device.tensorboard_available():
        print("dnnlab: TensorBoard off (it writes through TensorFlow, not installed)")
    elif config.tensorboard:
        cbs.append(keras.callbacks.TensorBoard(str(run_dir), histogram_freq=1))
        if detail:
            from dnnlab.tboard import DetailedView

            cbs.append(DetailedView(run_dir, x_val[:1000], every=STEPS_PER_EXECUTION))
    # Saved at the end of every epoch, after the logs; --resume restarts from it.
    backup = run_dir / "backup"
    done = _epochs_saved(backup) if before is not None else 0
    cbs.append(keras.callbacks.BackupAndRestore(str(backup)))
    start = time.perf_counter()
    status = "finished"
    try:
        model.fit(
            x,
            targets,
            batch_size=config.batch_size,
            epochs=config.epochs,
            validation_data=(x_val, one_hot(y_val)),
            validation_batch_size=EVAL_BATCH,
            callbacks=cbs,
            verbose=1 if sys.stdout.isatty() else 2,
        )
    except KeyboardInterrupt:
        status = "interrupted"
    if watch.diverged_at is not None:
        status = "diverged"
    test_loss, test_acc = (
        model.evaluate(
            data.x_test, one_hot(data.y_test), batch_size=EVAL_BATCH, verbose=0
        )
        if test
        else (math.nan, math.nan)
    )
    _, train_acc = model.evaluate(x, targets, batch_size=EVAL_BATCH, verbose=0)
    history = watch.history
    if before is not None:  # the interrupted run's saved epochs come first
        keys = {**before.history, **history}
        history = {
            k: before.history.get(k, [])[:done] + history.get(k, []) for k in keys
        }
        last = done * steps_per_epoch
        watch.trace[:0] = [t for t in before.trace if t[0] <= last]
    result = Result(
        config=config,
        history=history,
        test_loss=float(test_loss),
        test_accuracy=float(test_acc),
        train_accuracy=float(train_acc),
        params=model.count_params(),
        wall_time=time.perf_counter() - start,
        run_dir=run_dir,
        status=status,
        diverged_at=watch.diverged_at,
        trace=watch.trace,
        model=model,
    )
    (run_dir / "result.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    if status == "interrupted":
        raise KeyboardInterrupt(
            f"interrupted; results so far in {run_dir}; "
            "run again with --resume to go on from the last finished epoch"
        )
    return result


def _epochs_saved(backup: Path) -> int:
    """How many epochs the BackupAndRestore checkpoint in `backup` holds."""
    meta = backup / "training_metadata.json"
    return json.loads(meta.read_text())["epoch"] if meta.is_file() else 0


class _Watch(keras.callbacks.Callback):
    """Records the epochs' logs, traces the training loss by iteration, and stops at
    the first NaN or infinite loss.

    Keras reports the running mean of the epoch's loss; the mean over the steps since
    the last report follows from two running means, so the trace is exact.
    """

    def __init__(self):
        super().__init__()
        self.trace: list[tuple[int, float]] = []  # (iteration, mean loss since last)
        self.history: dict[str, list[float]] = {}  # per epoch, like keras' History
        self.diverged_at: int | None = None  # 1-based epoch

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.seen, self.mean = epoch + 1, 0, 0.0
        self.start = int(self.model.optimizer.iterations)

    def on_train_batch_end(self, batch, logs=None):
        # Not `batch`: after a short last execution Keras still counts a full one.
        step = int(self.model.optimizer.iterations)
        mean, seen = float((logs or {}).get("loss", 0.0)), step - self.start
        if seen > self.seen:
            chunk = (mean * seen - self.mean * self.seen) / (seen - self.seen)
            self.trace.append((step, chunk))
            self.seen, self.mean = seen, mean
        if not math.isfinite(mean):
            self.diverged_at = self.epoch
            self.model.stop_training = True
