"""Hyperparameter search on keras-tuner: every trial is dnnlab.train() scored on the
validation split; the test set is evaluated once, for the best configuration.

A search lives in its run folder (<lab>/<timestamp>/<strategy>/seed-<k>): keras-tuner's
project (tuner/trial_NN, oracle.json), trials/trial_NN (a TensorBoard run per trial,
with its HParams) and best/ (the best configuration trained again in full). With
--resume, finished trials are kept and an interrupted one runs again.

Several processes: keras-tuner's chief/worker mode, set by KERASTUNER_TUNER_ID
(chief, tuner0, tuner1, …), KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras_tuner as kt

from dnnlab import device, notebook
from dnnlab.config import Config
from dnnlab.data import Mnist
from dnnlab.files import read_json
from dnnlab.model import build_model
from dnnlab.training import Result, train

STRATEGIES = ("manual", "grid", "random", "bayesian")
OBJECTIVE = "val_accuracy"
STREAM = 100_000  # tuner seeds per search: see stream()


def role() -> str:
    """'chief', 'worker' or 'alone', from keras-tuner's environment variables."""
    tuner_id = os.environ.get("KERASTUNER_TUNER_ID", "")
    return "chief" if tuner_id == "chief" else "worker" if tuner_id else "alone"


@dataclass
class Search:
    """What one strategy's search found."""

    strategy: str
    scores: list[float]  # validation accuracy of each finished trial, in trial order
    top: list[
        tuple[str, float, kt.HyperParameters]
    ]  # (trial id, score, hp), best first
    seconds: float  # this process's search time
    new_trials: int  # trials this process ran (a resumed search skips finished ones)

    def best_so_far(self) -> list[float]:
        out: list[float] = []
        for s in self.scores:
            out.append(max(s, out[-1]) if out else s)
        return out


class _HyperModel(kt.HyperModel):
    """hyperparameters → Config (the lab's space) → train(), scored on validation."""

    def __init__(self, to_config: Callable, data: Mnist, log_dir: Path):
        super().__init__()
        self.to_config, self.data, self.log_dir = to_config, data, log_dir
        self.trial_id = "?"

    def build(self, hp):
        return build_model(
            self.to_config(hp)
        )  # the tuner's copy; train() builds its own

    def fit(self, hp, model, *args, callbacks=(), **kwargs):
        config = self.to_config(hp)
        run_dir = self.log_dir / f"trial_{self.trial_id}"
        shutil.rmtree(run_dir, ignore_errors=True)  # an interrupted trial starts over
        result = train(
            config, self.data, run_dir=run_dir, callbacks=callbacks, test=False
        )
        if config.tensorboard and device.tensorboard_available():
            from dnnlab.tboard import write_session

            write_session(run_dir, hp.values, self.trial_id)
        return {OBJECTIVE: max(result.history[OBJECTIVE])}


def run(
    strategy: str,
    to_config: Callable,
    data: Mnist,
    root: Path,
    trials: int,
    budget_s: float = 0.0,
    seed: int = 1,
) -> Search:
    """Search with one strategy for up to `trials` trials (and `budget_s` seconds).

    Args:
        to_config: hyperparameters → Config; its calls to hp.Int, hp.Choice… are the
            search space.
        budget_s: start no trial after this many seconds (0: no limit). Counted in
            this process; a worker checks it too.
    """
    hypermodel = _HyperModel(to_config, data, root / "trials")
    start = time.perf_counter()
    extra = {"num_initial_points": initial_points(trials)}
    tuner = _tuner(strategy, hypermodel, budget_s)(
        hypermodel=hypermodel,
        objective=kt.Objective(OBJECTIVE, "max"),
        max_trials=trials,
        directory=str(root),
        project_name="tuner",
        seed=stream(strategy, seed),
        **(extra if strategy == "bayesian" else {}),
    )
    tuner.ran = []  # the trials this process runs
    chief = role() != "worker"
    if chief:
        tuner.oracle.max_trials = trials  # a resumed search may get a new budget
        finished = len(_finished(tuner.oracle))
        if finished:
            print(f"{strategy}: {finished} finished trials kept")
    # In a notebook keras-tuner clears the cell's output at each trial's end (the
    # banner, the model, the earlier strategies): there dnnlab's summary line only.
    tuner.search(verbose=0 if notebook.active() else 1)
    best = tuner.oracle.get_best_trials(10) if chief else []
    return Search(
        strategy=strategy,
        scores=[t.score for t in _finished(tuner.oracle)] if chief else [],
        top=[(t.trial_id, t.score, t.hyperparameters) for t in best],
        seconds=time.perf_counter() - start,
        new_trials=len(tuner.ran),
    )


def initial_points(trials: int) -> int:
    """Bayesian optimization's random trials before its model guides it: at most 5
    and a third of the budget (keras-tuner's default, 3 per hyperparameter, could
    fill a small budget with random trials)."""
    return max(1, min(5, trials // 3))


def _tuner(strategy: str, hypermodel: _HyperModel, budget_s: float):
    """keras-tuner's class for the strategy, naming each trial's run folder and
    starting no trial once `budget_s` seconds are spent (0: no limit)."""
    base = {
        "manual": kt.GridSearch,
        "grid": kt.GridSearch,
        "random": kt.RandomSearch,
        "bayesian": kt.BayesianOptimization,
    }[strategy]
    start = time.perf_counter()

    class Tuner(base):
        def on_trial_begin(self, trial):
            hypermodel.trial_id = trial.trial_id
            super().on_trial_begin(trial)

        def on_trial_end(self, trial):
            super().on_trial_end(trial)
            self.ran.append(trial.trial_id)
            if budget_s and time.perf_counter() - start > budget_s:
                print(f"time budget of {budget_s:.0f} s spent: no more trials here")
                self.oracle.max_trials = len(self.oracle.trials)  # stops this search

    return Tuner


def stream(strategy: str, seed: int) -> int:
    """keras-tuner's seed for one strategy under one lab seed.

    keras-tuner draws each hyperparameter value with random.Random(s) and then
    increments s, so tuner seeds 1 and 2 give the same values shifted by one draw.
    Every (seed, strategy) gets a block of STREAM seeds of its own: no two searches
    share a draw while trials × hyperparameters stay below STREAM. (With one seed for
    all, Bayesian's random initial points would be random search's first trials.)
    """
    block = len(STRATEGIES) * seed + STRATEGIES.index(strategy)
    return STREAM * block % 2**31  # NumPy's seeds (Bayesian's) stop at 2**32


def _finished(oracle) -> list:
    done = [t for t in oracle.trials.values() if t.status == "COMPLETED"]
    return sorted(done, key=lambda t: int(t.trial_id))


def final(config: Config, data: Mnist, run_dir: Path) -> Result:
    """The best configuration trained in full, tested once; kept if already done."""
    saved = run_dir / "config.json"
    if saved.is_file():
        old = read_json(saved, f"delete {run_dir} to train the best configuration anew")
        new = json.dumps(config.replace(resume=old["resume"]).to_dict())
        if json.loads(new) != old:
            shutil.rmtree(run_dir)  # a better configuration has been found since
    return train(config.replace(resume=saved.is_file()), data, run_dir=run_dir)


def table(search: Search, n: int = 5) -> str:
    """The top trials: id, validation accuracy, hyperparameters."""
    lines = [
        f"{search.strategy}: top {min(n, len(search.top))} of "
        f"{len(search.scores)} trials (validation accuracy)"
    ]
    for trial_id, score, hp in search.top[:n]:
        hps = " ".join(f"{k}={_short(v)}" for k, v in hp.values.items())
        lines.append(f"  trial {trial_id}  {100 * score:6.2f}%  {hps}")
    return "\n".join(lines)


def _short(v) -> str:
    if isinstance(v, float) and v and not 1e-2 <= abs(v) < 1e3:
        return f"{v:.0e}"
    return f"{v:g}" if isinstance(v, float) and math.isfinite(v) else str(v)
