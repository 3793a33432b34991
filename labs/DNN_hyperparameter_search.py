"""
Title: Hyperparameter search — manual, grid, random and Bayesian (keras-tuner)
Slide: "Deep Neural Network - hyperparameter tuning"
Description: the slide's list of choices — hidden layers and units, activation,
initializer, regularizer and λ, optimizer, learning rate (log scale), batch size,
dropout, batch norm — searched by keras-tuner. Each trial trains on --limit images for
--epochs and is scored on the validation split only; the best configuration is then
trained on all training images for --final-epochs and tested once. --strategy all runs
the four strategies at the same trial budget and plots best accuracy against trials.
Run again to resume (finished trials are kept); --overwrite starts afresh. Many
processes: see the README (keras-tuner's chief and workers).
Run: python labs/DNN_hyperparameter_search.py [--strategy random] [--trials 20]
"""

import time

from dnnlab import Config, run_cli

config = Config(
    name="DNN_hyperparameter_search",
    initializer="he_normal",
    lr_schedule="cosine",
    epochs=4,  # per trial
    limit=10000,  # training images per trial; the final training uses all
)
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


def main(config, strategy, trials, time_budget, final_epochs, overwrite):
    from pathlib import Path

    from dnnlab import load_mnist, plots, search

    data = load_mnist()
    root = Path(config.log_dir) / config.name
    start = time.perf_counter()
    found = {}
    for s in search.STRATEGIES if strategy == "all" else [strategy]:

        def to_config(hp, s=s):
            return (manual if s == "manual" else space)(config, hp)

        print(f"=== {s} search: up to {trials} trials", flush=True)
        found[s] = search.run(
            s, to_config, data, root, trials, overwrite, 60 * time_budget, config.seed
        )
    if search.role() == "worker":
        ran = sum(f.new_trials for f in found.values())
        return print(f"worker done: ran {ran} trials; the chief has the results")
    for f in found.values():
        print(search.table(f))
    best = max(found.values(), key=lambda f: f.top[0][1] if f.top else 0)
    if not best.top:
        return print("no finished trial")
    figure = plots.best_so_far(found, root / "best_so_far.png")
    trial_id, score, hp = best.top[0]
    chosen = (manual if best.strategy == "manual" else space)(config, hp)
    chosen = chosen.replace(limit=0, epochs=final_epochs)
    print(
        f"=== best: {best.strategy} trial {trial_id} ({score:.2%} on validation), "
        f"trained on all images for {final_epochs} epochs",
        flush=True,
    )
    result = search.final(chosen, data, root / best.strategy / "best")
    print(search.summary(found, result, time.perf_counter() - start))
    search.save(found, result, root / "search.json")
    print(
        f"tensorboard --logdir {root / best.strategy / 'tensorboard'}   ·   "
        f"plot: {figure}"
    )


OPTIONS = {
    "strategy": dict(
        default="bayesian",
        choices=["manual", "grid", "random", "bayesian", "all"],
        help="how trials are chosen; all: the four, same budget",
    ),
    "trials": dict(default=20, type=int, help="trials per strategy"),
    "time_budget": dict(
        default=0.0,
        type=float,
        help="minutes per strategy after which no trial starts; 0: none",
    ),
    "final_epochs": dict(
        default=20, type=int, help="epochs for the best configuration, on all images"
    ),
    "overwrite": dict(
        default=False,
        action="store_true",
        help="forget earlier trials and search afresh",
    ),
}

if __name__ == "__main__":
    run_cli(main, config, options=OPTIONS)
