"""Result: what one training run produced, saved as numbers. Imports no TensorFlow."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

from dnnlab.config import Config
from dnnlab.files import read_json, write_json


@dataclass
class Result:
    """What one training run produced."""

    config: Config
    history: dict[str, list[float]]  # per epoch: loss, accuracy, val_loss, val_accuracy
    test_loss: float
    test_accuracy: float
    train_accuracy: float  # on the training images, in inference mode (no dropout)
    params: int
    wall_time: float  # seconds of fit and of the test and training-set evaluations
    run_dir: Path
    status: str = "finished"  # finished, diverged or interrupted
    diverged_at: int | None = None  # 1-based epoch whose loss became NaN or infinite
    trace: list[tuple[int, float]] = field(default_factory=list)  # (iteration, loss)
    extras: dict = field(default_factory=dict)  # a lab's own numbers (probes)
    model: object = field(default=None, repr=False, compare=False)

    @classmethod
    def measured(cls, config: Config, run_dir: Path, extras: dict, wall_time: float):
        """What a lab that trains no net on MNIST measured (a bowl, histograms, a
        gradient check): its numbers in extras, saved in run_dir."""
        nan = math.nan
        r = cls(config, {}, nan, nan, nan, 0, wall_time, Path(run_dir), extras=extras)
        r.run_dir.mkdir(parents=True, exist_ok=True)
        r.save()
        return r

    @property
    def final_loss(self) -> float:
        """The last epoch's training loss; infinite for a diverged run."""
        last = (self.history.get("loss") or [math.inf])[-1]
        return last if math.isfinite(last) and not self.diverged_at else math.inf

    @property
    def gap(self) -> float:
        """Train minus test accuracy, in inference mode: the overfitting gap."""
        return self.train_accuracy - self.test_accuracy

    def epochs_to(self, accuracy: float) -> float:
        """The first epoch (1-based) whose validation accuracy (training accuracy
        without a validation set) reached `accuracy`; infinite if none did."""
        values = self.history.get("val_accuracy") or self.history.get("accuracy", [])
        return next((i for i, v in enumerate(values, 1) if v >= accuracy), math.inf)

    def iterations_to(self, loss: float) -> float:
        """The first traced iteration whose training loss was below `loss`, or inf."""
        return next((step for step, v in self.trace if v < loss), math.inf)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del d["model"]
        d["config"], d["run_dir"] = self.config.to_dict(), str(self.run_dir)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Result:
        d = {**d, "config": Config(**d["config"]), "run_dir": Path(d["run_dir"])}
        d["trace"] = [tuple(t) for t in d["trace"]]
        return cls(**d)

    def save(self) -> None:
        write_json(self.run_dir / "result.json", self.to_dict())

    @classmethod
    def load(cls, run_dir: Path) -> Result | None:
        """The result saved in run_dir, or None if there is none."""
        path = Path(run_dir) / "result.json"
        if not path.is_file():
            return None
        remedy = "delete it to train that run again (--resume then reruns it)"
        return cls.from_dict(read_json(path, remedy))
