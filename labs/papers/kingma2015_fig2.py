import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, below, loss, msg, plots

import numpy as np

base = Config(
    name="kingma2015_fig2",
    hidden_units=(1000, 1000),
    activation="relu",
    dropout=0.5,
    batch_size=128,
    epochs=4,
    validation_split=0,
    checkpoint=False,
)
GRID = {
    "adam": (1e-4, 3e-4, 1e-3),
    "rmsprop": (1e-4, 3e-4, 1e-3),
    "adagrad": (3e-3, 1e-2, 3e-2),
    "nesterov": (1e-2, 3e-2, 1e-1),
}
variants = {
    f"{rule}_{rate:g}": base.replace(optimizer=rule, learning_rate=rate)
    for rule, rates in GRID.items()
    for rate in rates
}


def final_cost(result) -> float:
    return result.history["loss"][-1]


def best(results, rule: str) -> str:
    """The rule's variant with the lowest final training cost (mean over seeds)."""
    names = [f"{rule}_{rate:g}" for rate in GRID[rule] if f"{rule}_{rate:g}" in results]
    return min(names, key=lambda n: results[n].stat(final_cost).mean)


def figure(results, path):
    plt = plots.pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for rule in GRID:
        name = best(results, rule)
        cost = np.mean([r.history["loss"] for r in results[name]], axis=0)
        ax.plot(range(1, len(cost) + 1), cost, "o-", label=name)
    ax.set(
        xlabel=plots.words(msg("epoch")),
        ylabel=plots.words(msg("training cost")),
        yscale="log",
    )
    title = msg("Kingma & Ba 2015, Fig. 2 (a), each rule at its best rate")
    ax.set_title(plots.words(title), fontsize=9)
    ax.legend(fontsize=8)
    plots.tidy(ax, integer_x=True)
    return plots.save(fig, path)


def claim(results) -> Claim:
    adam = results[best(results, "adam")].stat(final_cost)
    return Claim(
        "on an MNIST MLP with dropout, Adam's training cost ends lowest, each rule at "
        "its best rate",
        [
            below(
                msg(
                    "final training cost: {adam} < {other}",
                    adam=best(results, "adam"),
                    other=best(results, rule),
                ),
                adam,
                results[best(results, rule)].stat(final_cost),
                loss,
            )
            for rule in GRID
            if rule != "adam"
        ],
    )


LAB = Lab(
    title=("Adam against the others on an MNIST MLP (Kingma & Ba 2015, Fig. 2)"),
    paper=(
        'Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, '
        "§6.2 and Fig. 2 (a): MNIST, 2 hidden layers of 1,000 ReLU units, "
        "minibatches of 128, dropout; the training cost against epochs for Adam, "
        "AdaGrad, RMSProp and SGD with Nesterov momentum, each at the best rate "
        "of a search; the paper: Adam's cost falls fastest and ends lowest (200 "
        "epochs)."
    ),
    description=(
        "the paper's net with dropout 0.5 after each hidden layer, on all 60,000 "
        "training images; each update rule at the rates of a small grid (3 per "
        "rule, around its usual step size), 4 epochs instead of 200 (2 cores). "
        "The best rate of each rule is the one with the lowest final training "
        "cost (the figure's own y-axis; no test number is used to choose); the "
        "figure draws each rule at its best rate."
    ),
    usage="python labs/papers/kingma2015_fig2.py [--seeds 3] [--epochs 4]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "An MNIST MLP with dropout; AdaGrad, RMSProp, SGD with Nesterov and "
            "Adam, each at its best of its rates: whose training cost ends lowest?"
        ),
        (
            "another rule's",
            "Adam's",
        ),
        holds="Adam's",
        fails="another rule's",
    ),
    target=0.98,
    figures={"fig2.png": figure},
    quick=("--variants", "adam_0.001,rmsprop_0.001,adagrad_0.01,nesterov_0.1"),
)


if __name__ == "__main__":
    LAB.run()
