import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from math import inf

from dnnlab import Claim, Config, Lab, Stat, below, num, plots

config = Config(
    name="DNN_hyperparameter_search",
    initializer="he_normal",
    lr_schedule="cosine",
    epochs=4,  # per trial
    limit=10000,  # training images per trial; the final training uses all
)
variants = {s: config for s in ("manual", "grid", "random", "bayesian")}
# The slide's manual search: start simple, change one thing at a time.
MANUAL = {
    "2x256": dict(hidden_units=(256, 256)),
    "3x512 dropout": dict(hidden_units=(512,) * 3, dropout=0.2),
    "3x512 dropout bn": dict(hidden_units=(512,) * 3, dropout=0.2, batch_norm="before"),
    "2x1024 dropout": dict(hidden_units=(1024,) * 2, dropout=0.3),
}


def space(base: Config, hp) -> Config:
    """The search space, as a Config: each hp call is one hyperparameter."""
    layers = hp.Int("hidden_layers", 1, 4)
    units = hp.Choice("units", [128, 256, 512, 1024])
    return base.replace(
        hidden_units=(units,) * layers,
        activation=hp.Choice("activation", ["relu", "elu", "leaky_relu", "tanh"]),
        initializer=hp.Choice("initializer", ["he_normal", "glorot_normal"]),
        regularizer=hp.Choice("regularizer", ["none", "l2", "l1"]),
        reg_lambda=hp.Float("reg_lambda", 1e-6, 1e-3, sampling="log", step=10),
        optimizer=hp.Choice("optimizer", ["adam", "rmsprop", "momentum"]),
        learning_rate=hp.Float("learning_rate", 1e-4, 1e-1, sampling="log", step=10),
        batch_size=hp.Choice("batch_size", [64, 128, 256]),
        dropout=hp.Float("dropout", 0.0, 0.5, step=0.1),
        batch_norm=hp.Choice("batch_norm", ["off", "before"]),
    )


def manual(base: Config, hp) -> Config:
    return base.replace(**MANUAL[hp.Choice("config", list(MANUAL))])


def fit(
    strategy, config, data, run_dir, trials, time_budget, final_epochs, final_limit
):
    """One strategy's search, then its best configuration trained in full."""
    from dnnlab import search

    def to_config(hp):
        return (manual if strategy == "manual" else space)(config, hp)

    found = search.run(
        strategy, to_config, data, run_dir, trials, 60 * time_budget, config.seed
    )
    if search.role() == "worker":
        return print(f"worker done: ran {found.new_trials} trials")
    print(search.table(found))
    best = to_config(found.top[0][2]).replace(limit=final_limit, epochs=final_epochs)
    result = search.final(best, data, run_dir / "best")
    result.extras["best_so_far"] = found.best_so_far()
    result.save()
    return result


def claim(results) -> Claim:
    def trials_to(name, level_of):
        """Per seed, the trials `name` needed to reach `level_of`'s best score."""
        out = []
        for r, ref in zip(results[name], results[level_of], strict=True):
            level = max(ref.extras["best_so_far"])
            best = r.extras["best_so_far"]
            out.append(next((i for i, b in enumerate(best, 1) if b >= level), inf))
        return Stat(tuple(out))

    return Claim(
        "random search finds as good a configuration as grid search in fewer "
        "trials, Bayesian optimization in fewer still",
        [
            below(
                "trials to grid's best: random < grid",
                trials_to("random", "grid"),
                trials_to("grid", "grid"),
                num,
            ),
            below(
                "trials to random's best: Bayesian < random",
                trials_to("bayesian", "random"),
                trials_to("random", "random"),
                num,
            ),
        ],
    )


OPTIONS = {
    "trials": dict(default=10, type=int, help="trials per strategy"),
    "time_budget": dict(
        default=0.0,
        type=float,
        help="minutes per strategy after which no trial starts; 0: none",
    ),
    "final_epochs": dict(default=10, type=int, help="epochs for each strategy's best"),
    "final_limit": dict(
        default=0, type=int, help="training images for each strategy's best; 0: all"
    ),
}

LAB = Lab(
    title=("Hyperparameter search — manual, grid, random and Bayesian (keras-tuner)"),
    slide='"Deep Neural Network - hyperparameter tuning"',
    description=(
        "the slide's list of choices — hidden layers and units, activation, "
        "initializer, regularizer and λ, optimizer, learning rate (log scale), "
        "batch size, dropout, batch norm — searched by keras-tuner, each strategy "
        "with the same trial budget. Each trial trains on --limit images for "
        "--epochs and is scored on the validation split only; each strategy's "
        "best configuration is then trained on all training images for "
        "--final-epochs and tested once. --variants random runs one strategy; "
        "--resume goes on with an interrupted search. Many processes: see "
        "docs/search.md (keras-tuner's chief and workers)."
    ),
    usage=(
        "python labs/DNN_hyperparameter_search.py [--variants random] [--trials 10]"
    ),
    variants=variants,
    claim=claim,
    fit=fit,
    options=OPTIONS,
    figures={"best_so_far.png": plots.best_so_far},
    quick=("--trials", "1", "--final-epochs", "1", "--final-limit", "600"),
    results=("--trials", "10", "--final-epochs", "3"),  # budgets for 2 cores
    renamed={"--strategy": "--variants", "--strategies": "--variants"},
)


if __name__ == "__main__":
    LAB.run()
