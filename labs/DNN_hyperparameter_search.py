import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

import dataclasses
import itertools
import math
import random

from dnnlab import Claim, Config, Lab, Prediction, Seeds, Stat, above, msg, pct, plots

import numpy as np

config = Config(
    name="DNN_hyperparameter_search",
    hidden_units=(128, 128),
    initializer="he_normal",
    optimizer="adam",
    regularizer="l2",
    epochs=1,  # per trial: the claim is about the search, not the final net
    limit=6000,  # training images per trial; the final training uses all
    checkpoint=False,
)
variants = {s: config for s in ("manual", "grid", "random", "bayesian")}
BUDGETS = (5, 10, 20)  # trials at which the strategies are compared
# The search space (Bergstra & Bengio 2012's low effective dimensionality): two
# hyperparameters that matter, the learning rate and the width, and two that barely
# do in one epoch, dropout in a narrow range and a small L2 weight decay.
RANGES = dict(learning_rate=(1e-4, 1e-1), units=(16, 1024), dropout=(0.0, 0.2))
RANGES["reg_lambda"] = (1e-6, 1e-4)
LOG = ("learning_rate", "units", "reg_lambda")  # searched on a log scale
# The grid: evenly spaced values over the same ranges (log-spaced where the range is
# searched on a log scale), ends included: 3 × 2 × 2 × 2 = 24 points, of which a
# budget of 20 trials runs 20, so only 3 learning rates are ever tried.
LEVELS = dict(learning_rate=3, units=2, dropout=2, reg_lambda=2)
# The slide's manual search: start from the defaults, change one thing at a time.
MANUAL = {
    "lr 1e-3, 128 units": dict(learning_rate=1e-3, units=128),
    "lr 1e-2": dict(learning_rate=1e-2, units=128),
    "lr 3e-3": dict(learning_rate=3e-3, units=128),
    "lr 3e-3, 512 units": dict(learning_rate=3e-3, units=512),
    "lr 3e-3, 512 units, dropout 0.1": dict(learning_rate=3e-3, units=512, dropout=0.1),
}


def levels(name: str) -> list[float]:
    low, high = RANGES[name]
    spaced = np.geomspace if name in LOG else np.linspace
    values = spaced(low, high, LEVELS[name])
    return [int(round(v)) for v in values] if name == "units" else list(values)


def point(base: Config, learning_rate, units, dropout=0.0, reg_lambda=1e-6) -> Config:
    """One point of the space, as a Config."""
    return base.replace(
        hidden_units=(int(round(units)),) * 2,
        learning_rate=float(learning_rate),
        dropout=float(dropout),
        reg_lambda=float(reg_lambda),
    )


def space(base: Config, hp) -> Config:
    """Random and Bayesian search: each range, each hp call one hyperparameter."""
    drawn = {
        name: hp.Float(name, *RANGES[name], sampling="log" if name in LOG else "linear")
        for name in RANGES
    }
    return point(base, **drawn)


def label(values: dict) -> str:
    return " ".join(
        f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in values.items()
    )


def grid_points(seed: int) -> dict[str, dict]:
    """The grid's points by label, in an order of this repetition's own: a fixed
    order would decide which points a budget below the grid's size sees."""
    grid = itertools.product(*map(levels, RANGES))
    points = [dict(zip(RANGES, v, strict=True)) for v in grid]
    random.Random(seed).shuffle(points)
    return {label(p): p for p in points}


def fit(
    strategy, config, data, run_dir, trials, time_budget, final_epochs, final_limit
):
    """One strategy's search, then its best configuration trained in full."""
    from dnnlab import search

    listed = {"manual": MANUAL, "grid": grid_points(config.seed)}.get(strategy)

    def to_config(hp):
        if listed is None:
            return space(config, hp)
        return point(config, **listed[hp.Choice("point", list(listed))])

    budget = min(trials, len(listed)) if listed else trials
    found = search.run(
        strategy, to_config, data, run_dir, budget, 60 * time_budget, config.seed
    )
    if search.role() == "worker":
        return print(f"worker done: ran {found.new_trials} trials")
    print(search.table(found))
    best = to_config(found.top[0][2]).replace(limit=final_limit, epochs=final_epochs)
    result = search.final(best, data, run_dir / "best")
    result.extras["best_so_far"] = found.best_so_far()
    result.save()
    return result


def at_budget(seeds: Seeds, budget: int) -> Stat:
    """Per repetition, the best validation accuracy within `budget` trials (a
    search that ended sooner keeps its best)."""
    curves = [r.extras["best_so_far"] for r in seeds]
    return Stat(tuple(c[min(budget, len(c)) - 1] for c in curves))


def with_se(s: Stat) -> str:
    """'96.12 ± 0.31 %': the mean and its standard error."""
    return f"{100 * s.mean:.2f} ± {100 * s.se:.2f} %" if s.n > 1 else pct(s)


def trials(seeds) -> int:
    """The most trials any of these searches ran."""
    return max(len(r.extras["best_so_far"]) for r in seeds)


def budgets(results) -> list[int]:
    """BUDGETS up to the trials run (or the trials run, where fewer)."""
    most = max(map(trials, results.values()))
    return [b for b in BUDGETS if b <= most] or [most]


def power(check, a: Stat, b: Stat):
    """The check, its numbers with the effect (the difference of the means), its
    standard error, and about how many repetitions would put an effect that size
    beyond 2 standard errors."""
    diff, se = a.mean - b.mean, math.sqrt(a.se**2 + b.se**2)
    need = math.ceil(a.n * (2 * se / diff) ** 2) if diff and a.n > 1 else None
    effect = {"effect": f"{100 * diff:+.2f}", "se": f"{100 * se:.2f}"}
    if need and need > a.n:
        numbers = msg(
            "{numbers}; effect {effect} ± {se} % (SE), beyond 2 SE from n ≈ {need}",
            numbers=check.numbers,
            need=need,
            **effect,
        )
    else:
        numbers = msg(
            "{numbers}; effect {effect} ± {se} % (SE)", numbers=check.numbers, **effect
        )
    return dataclasses.replace(check, numbers=numbers)


def claim(results) -> Claim:
    from dnnlab.search import initial_points

    n, compared = len(results["random"]), budgets(results)
    start = initial_points(trials(results["bayesian"]))
    pairs = [("random", "grid", compared)]
    pairs.append(("bayesian", "random", [b for b in compared if b > start]))
    checks = []
    for better, than, at in pairs:
        for b in at:
            ours, theirs = at_budget(results[better], b), at_budget(results[than], b)
            name = {"bayesian": "Bayesian"}.get
            text = msg(
                "best of {b} trials: {better} > {than} (n = {n})",
                b=b,
                better=name(better, better),
                than=name(than, than),
                n=n,
            )
            checks.append(power(above(text, ours, theirs, with_se), ours, theirs))
    return Claim(
        "at the same trial budget, random search finds a better configuration than "
        "grid search, and Bayesian optimization, after its first random trials, a "
        "better one than random search",
        checks,
        spread="SE",
    )


def best_so_far(results, path):
    return plots.best_so_far(results, path, budgets=BUDGETS)


OPTIONS = {
    "trials": dict(default=20, type=int, help="trials per strategy (the budget)"),
    "time_budget": dict(
        default=0.0,
        type=float,
        help="minutes per strategy after which no trial starts; 0: none",
    ),
    "final_epochs": dict(default=5, type=int, help="epochs for each strategy's best"),
    "final_limit": dict(
        default=0, type=int, help="training images for each strategy's best; 0: all"
    ),
}

LAB = Lab(
    title=("Hyperparameter search — manual, grid, random and Bayesian (keras-tuner)"),
    slide='"Deep Neural Network - hyperparameter tuning"',
    paper=(
        "Bergstra & Bengio 2012 (random search beats grid search when few of the "
        "hyperparameters matter: a grid spends its trials repeating the same few "
        "values of the one that does) and Snoek et al. 2012 (Bayesian "
        "optimization's best-so-far curve rises above random search's after its "
        "first random trials). Both compare best-so-far curves over many "
        "repetitions of a search at a fixed trial budget."
    ),
    description=(
        "the papers' conditions. The space: learning rate 1e-4–1e-1 and width "
        "16–1,024 (two hidden layers) matter; dropout 0–0.2 and L2 λ 1e-6–1e-4 "
        "barely do in one epoch. A trial is cheap: one epoch of Adam on --limit "
        "images, scored on the validation split only. Every strategy gets the same "
        "budget (--trials; the manual list has 5): the grid is 3 learning rates × "
        "2 widths × 2 dropouts × 2 λ, evenly spaced (on a log scale where the "
        "range is), run in an order of each repetition's own; random draws each "
        "range; Bayesian (keras-tuner) starts from 5 random trials. Each seed is "
        "one repetition of every search; the claim compares the mean best "
        "validation accuracy after 5, 10 and 20 trials, beyond 2 standard errors. "
        "Each strategy's best is then trained on all images for --final-epochs and "
        "tested once. Many processes: see docs/search.md."
    ),
    usage=("python labs/DNN_hyperparameter_search.py [--variants random] [--seeds 5]"),
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "At the same budget of trials, which finds the better configuration: "
            "random or grid search, and Bayesian optimization or random search?"
        ),
        (
            "random over grid, Bayesian over random",
            "not in that order",
        ),
        holds="random over grid, Bayesian over random",
        fails="not in that order",
    ),
    fit=fit,
    options=OPTIONS,
    figures={"best_so_far.png": best_so_far},
    added={
        msg("val, best of {b} ± SE", b=b): lambda seeds, b=b: with_se(
            at_budget(seeds, b)
        )
        for b in BUDGETS
    },
    quick=("--trials", "1", "--final-epochs", "1", "--final-limit", "600"),
    results=("--seeds", "5", "--final-epochs", "1"),  # 5 repetitions for 2 cores
    renamed={"--strategy": "--variants", "--strategies": "--variants"},
)


if __name__ == "__main__":
    LAB.run()
