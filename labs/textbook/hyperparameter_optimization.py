import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

import math

from dnnlab import Claim, Config, Lab, Prediction, Result, above, below, msg, num, plots

config = Config(
    name="hyperparameter_optimization",
    hidden_units=(100,) * 6,
    activation="relu",
    initializer="he",
    optimizer="sgd",
    regularizer="l2",
    batch_size=100,
    epochs=50,  # per trial
    limit=400,
    validation_split=100 / 60_000,  # 100 images: the book's 20 % of 500
    checkpoint=False,
)
variants = {"random": config}


def space(base: Config, hp) -> Config:
    lr = hp.Float("learning_rate", 1e-6, 1e-2, sampling="log")
    decay = hp.Float("weight_decay", 1e-8, 1e-4, sampling="log")  # the book's λ
    return base.replace(learning_rate=lr, reg_lambda=decay / 2)  # Keras: λΣw²


def fit(strategy, config, data, run_dir, trials):
    """The book's random search; then its best configuration, tested once."""
    from dnnlab import search

    found = search.run(
        strategy, lambda hp: space(config, hp), data, run_dir, trials, seed=config.seed
    )
    print(search.table(found))
    ran = [Result.load(p) for p in sorted((run_dir / "trials").iterdir())]
    best = space(config, found.top[0][2])
    result = search.final(best, data, run_dir / "best")
    result.extras["trials"] = [
        dict(
            learning_rate=r.config.learning_rate,
            weight_decay=2 * r.config.reg_lambda,
            val=r.history["val_accuracy"],
            train=r.history["accuracy"],
        )
        for r in ran
        if r is not None
    ]
    result.save()
    return result


def ranked(r) -> list[dict]:
    """The trials best first, as the book ranks them: by the last epoch's
    validation accuracy."""
    return sorted(r.extras["trials"], key=lambda t: -t["val"][-1])


def panel_title(rank: int, trial: dict) -> str:
    """A trial's panel in the grid: its rank, learning rate and weight decay."""
    return msg(
        "Best-{rank} lr {lr:.0e} λ {decay:.0e}",
        rank=rank,
        lr=trial["learning_rate"],
        decay=trial["weight_decay"],
    )


def figure(results, path):
    """The book's 5 × 4 grid: the 20 best trials of the first seed."""
    grid = {
        panel_title(i, t): [
            (t["val"], dict(color="C0", label=msg("validation") if i == 1 else None)),
            (
                t["train"],
                dict(
                    color="C1",
                    ls="--",
                    label=msg("training (during epoch)") if i == 1 else None,
                ),
            ),
        ]
        for i, t in enumerate(ranked(results["random"][0])[:20], 1)
    }
    title = msg("the book's random search: the 20 best trials")
    return plots.panels(grid, path, title, cols=5)


def scatter(results, path):
    """Every trial of every seed: learning rate against weight decay, coloured by
    validation accuracy."""
    points = [t for r in results["random"] for t in r.extras["trials"]]
    return plots.scatter(
        [t["learning_rate"] for t in points],
        [t["weight_decay"] for t in points],
        [100 * t["val"][-1] for t in points],
        path,
        xlabel=msg("learning rate"),
        ylabel=msg("weight decay λ"),
        colorbar=msg("last epoch's validation accuracy (%)"),
    )


def best5(key: str, pick):
    """Per seed, pick(log10 of `key`) over the 5 best trials."""
    return lambda r: pick(math.log10(t[key]) for t in ranked(r)[:5])


def claim(results) -> Claim:
    seeds = results["random"]
    return Claim(
        "in the book's random search the best trials have a learning rate of "
        "0.001–0.01 and a weight decay of 1e-8–1e-6",
        [
            above(
                "log10 learning rate of the 5 best, lowest > −3",
                seeds.stat(best5("learning_rate", min)),
                -3.0,
                num,
            ),
            below(
                "log10 weight decay of the 5 best, highest < −6",
                seeds.stat(best5("weight_decay", max)),
                -6.0,
                num,
            ),
        ],
    )


OPTIONS = {"trials": dict(default=100, type=int, help="trials per seed")}

LAB = Lab(
    title=("Random search of learning rate and weight decay, as the textbook runs it"),
    book=(
        "Deep Learning from Scratch (Saito), §6.5.3, program "
        "ch06/hyperparameter_optimization.py: 500 training images, 20 % of them "
        "held out for validation, a 6 × 100 ReLU net with He's start, SGD, "
        "minibatches of 100, 50 epochs per trial, 100 trials with learning rate "
        "10^U(−6, −2) and weight decay λ 10^U(−8, −4) (the book's ½λΣw²). The "
        "book's figure: validation (solid) and training (dashed) accuracy of the "
        "20 best trials; its reading: learning goes well for a learning rate of "
        "0.001 to 0.01 and a weight decay of 1e-8 to 1e-6."
    ),
    description=(
        "the book's set-up, searched by keras-tuner's random search (log-uniform "
        "draws, the book's ranges) with dnnlab.train as each trial; the 100 "
        "validation images are the training set's last, the 400 training images "
        "its first. The trials are ranked as the book ranks them, by the last "
        "epoch's validation accuracy (keras-tuner's score, the best epoch's, only "
        "picks the configuration that is trained again on the 400 images and "
        "tested once)."
    ),
    usage=(
        "python labs/textbook/hyperparameter_optimization.py [--trials 100] [--seeds 3]"
    ),
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "In the book's random search, where do the best trials' learning rate "
            "and weight decay lie?"
        ),
        (
            (
                "a learning rate of 0.001–0.01 and a weight decay of 1e-8–1e-6, as the "
                "book says"
            ),
            "elsewhere",
        ),
        holds=(
            "a learning rate of 0.001–0.01 and a weight decay of 1e-8–1e-6, as the "
            "book says"
        ),
        fails="elsewhere",
    ),
    fit=fit,
    options=OPTIONS,
    figures={"best_trials.png": figure, "trials.png": scatter},
    quick=("--trials", "2", "--epochs", "2"),
)


if __name__ == "__main__":
    LAB.run()
