"""A run's checkpoint, written as one unit a kill cannot split; --resume reads it.

At the end of every epoch the weights, the optimizer's state and what the run has
recorded so far (epoch, history, loss trace, wall time) go into a folder
`.checkpoint-N.tmp` beside the run, which is then renamed `checkpoint-N` (a rename
is atomic) and the older one removed. A kill at any instant leaves a complete
checkpoint-N or checkpoint-(N-1), never weights of one epoch with the record of
another (Keras' BackupAndRestore writes its two files one after the other).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dnnlab.backend import keras
from dnnlab.files import FileProblem, fault, read_json, why, write_json
from dnnlab.i18n import _, as_shown, msg

NAME = re.compile(r"checkpoint-(\d+)")


@dataclass
class Saved:
    """What a checkpoint holds besides the weights."""

    epoch: int  # epochs finished
    history: dict[str, list[float]]
    trace: list[tuple[int, float]]
    wall_time: float  # seconds of training up to the end of that epoch, all parts
    folder: Path

    def restore(self, model: keras.Model) -> None:
        """Put the checkpoint's weights and optimizer state into a built model."""
        with np.load(self.folder / "weights.npz") as saved:
            values = [saved[f"v{i}"] for i in range(len(saved.files))]
        variables = _variables(model)
        if len(values) != len(variables):
            raise FileProblem(
                _(
                    "{folder}: holds {saved} variables, the net has {net} (other "
                    "flags than the run's?); resume with the run's flags, or start a "
                    "new run without --resume"
                ).format(folder=self.folder, saved=len(values), net=len(variables))
            )
        for v, value in zip(variables, values, strict=True):
            v.assign(value)


def latest(run_dir: Path) -> Saved | None:
    """The run's newest complete checkpoint, or None."""
    found = sorted(
        (int(m.group(1)), p)
        for p in Path(run_dir).glob("checkpoint-*")
        if (m := NAME.fullmatch(p.name)) and p.is_dir()
    )
    if not found:
        return None
    folder = found[-1][1]
    remedy = msg(
        "delete {folder} to go on from the epoch before, or run without --resume",
        folder=folder,
    )
    state = read_json(folder / "state.json", remedy)
    return Saved(
        state["epoch"],
        state["history"],
        [tuple(t) for t in state["trace"]],
        state["wall_time"],
        folder,
    )


def merged(saved: Saved | None, history: dict) -> dict[str, list[float]]:
    """The checkpoint's epochs, then this part's."""
    if saved is None:
        return {k: list(v) for k, v in history.items()}
    keys = {**saved.history, **history}
    return {k: saved.history.get(k, []) + list(history.get(k, [])) for k in keys}


def remove(run_dir: Path) -> None:
    """The run's checkpoints, once its result is saved."""
    for p in Path(run_dir).glob("*checkpoint-*"):
        shutil.rmtree(p, ignore_errors=True)


def check_room(run_dir: Path, model: keras.Model) -> None:
    """Refuse before training a disk without room for two checkpoints (the new one
    is written before the old one goes)."""
    need = 2 * sum(
        np.prod(v.shape) * np.dtype(v.dtype).itemsize for v in _variables(model)
    )
    free = shutil.disk_usage(run_dir).free
    if free < need + 2**20:
        raise FileProblem(
            _(
                "{run_dir}: {free:.1f} MB free, the checkpoints of this net need "
                "{need:.1f} MB: make room, choose another --log-dir, or run "
                "with --no-checkpoint"
            ).format(run_dir=run_dir, free=free / 2**20, need=need / 2**20)
        )


def _variables(model: keras.Model) -> list:
    # Layers' (with batch norm's moving averages and dropout's seed state), then
    # the optimizer's (its step count, moments and, under mixed precision, loss scale).
    return [*model.variables, *model.optimizer.variables]


class Checkpoint(keras.callbacks.Callback):
    """Write checkpoint-N at the end of epoch N (after History and Trace saw it).

    Before TensorBoard's callback: an epoch TensorBoard shows has its checkpoint,
    so a resumed run does not log it twice. Fault points for the crash tests
    (files.fault): `epoch-N:during` (after the epoch's first compiled call),
    `checkpoint-N:between-parts` (weights written, record not) and `epoch-N:end`
    (between epochs: epoch N checkpointed and logged).
    """

    def __init__(self, run_dir: Path, record: Callable[[], tuple], earlier=0.0):
        """record() -> (history, trace): the run's so far, the parts it resumed
        from first; earlier: seconds the earlier parts ran."""
        super().__init__()
        self.run_dir, self.record, self.earlier = Path(run_dir), record, earlier
        self.epoch = 0

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        fault(f"epoch-{epoch}:end")  # epoch `epoch` (1-based) is done and logged
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        fault(f"epoch-{self.epoch}:during")

    def on_epoch_end(self, epoch, logs=None):
        n = epoch + 1
        history, trace = self.record()
        wall = self.earlier + time.perf_counter() - self.start
        tmp = self.run_dir / f".checkpoint-{n}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir()
            values = {
                f"v{i}": keras.ops.convert_to_numpy(v)
                for i, v in enumerate(_variables(self.model))
            }
            np.savez(tmp / "weights.npz", **values)
            fault(f"checkpoint-{n}:between-parts")
            state = dict(epoch=n, history=history, trace=trace, wall_time=wall)
            write_json(tmp / "state.json", state)
        except OSError as e:
            shutil.rmtree(tmp, ignore_errors=True)
            kept = (
                _("epoch {epoch}'s is kept").format(epoch=n - 1)
                if n > 1
                else _("no epoch was saved")
            )
            raise FileProblem(
                _(
                    "cannot write the checkpoint of epoch {epoch} in {run_dir}: "
                    "{why}; {kept}: make room, then run the same command with "
                    "--resume"
                ).format(epoch=n, run_dir=self.run_dir, why=as_shown(why(e)), kept=kept)
            ) from e
        shutil.rmtree(self.run_dir / f"checkpoint-{n}", ignore_errors=True)
        tmp.rename(self.run_dir / f"checkpoint-{n}")
        for p in self.run_dir.glob("checkpoint-*"):
            if p.name != f"checkpoint-{n}":
                shutil.rmtree(p, ignore_errors=True)
