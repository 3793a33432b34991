import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

import time

from dnnlab import Claim, Config, Lab, Prediction, above, below, column, msg, num, pct
from dnnlab.explore import BINS, IMAGES, UNITS, layer_activations

import numpy as np

LAYERS = 5
base = Config(
    name="weight_init_activation_histogram",
    hidden_units=(UNITS,) * LAYERS,
    initializer="random_normal",
    steps=1,  # no training: one forward pass
    validation_split=0,
    checkpoint=False,
    tensorboard=False,
)
variants = {
    "sigmoid_std_1": base.replace(activation="sigmoid", init_std=1.0),
    "sigmoid_std_0.01": base.replace(activation="sigmoid", init_std=0.01),
    "sigmoid_xavier": base.replace(activation="sigmoid", initializer="xavier"),
    "relu_std_0.01": base.replace(activation="relu", init_std=0.01),
    "relu_xavier": base.replace(activation="relu", initializer="xavier"),
    "relu_he": base.replace(activation="relu", initializer="he"),
}


def fit(name, config, data, run_dir):
    from dnnlab.result import Result

    started = time.perf_counter()
    extras = layer_activations(config)  # the explorer's (explore_activations)
    del extras["activations"]
    return Result.measured(config, run_dir, extras, time.perf_counter() - started)


def figure(results, path):
    """The book's figures: per variant a row, per layer a histogram on [0, 1]."""
    from dnnlab import plots

    plt = plots.pyplot()
    fig, axes = plt.subplots(
        len(results), LAYERS, figsize=(12, 1.8 * len(results)), sharex=True
    )
    edges = np.linspace(0, 1, BINS + 1)
    for row, (name, seeds) in zip(axes, results.items(), strict=True):
        r = seeds[0]
        for k, (ax, counts) in enumerate(zip(row, r.extras["histograms"], strict=True)):
            ax.stairs(
                counts, edges, fill=True, color="C0" if "sigmoid" in name else "C1"
            )
            ax.set_yticks([])
            spread = msg(
                "layer {layer}: std {std:.2g}", layer=k + 1, std=r.extras["std"][k]
            )
            ax.set_title(plots.words(spread), fontsize=8)
        row[0].set_ylabel(name, fontsize=8)
    title = msg(
        "activations of {images:,} random inputs, {bins} bins on [0, 1] "
        "(seed 1; counts outside [0, 1] not drawn)",
        images=IMAGES,
        bins=BINS,
    )
    fig.suptitle(plots.words(title))
    fig.tight_layout()
    return plots.save(fig, path)


def last(key):
    return lambda r: r.extras[key][-1]


def shrink(r) -> float:
    """The last layer's spread over the first's."""
    return r.extras["std"][-1] / r.extras["std"][0]


def claim(results) -> Claim:
    return Claim(
        "sigmoid from std 1 saturates, from 0.01 collapses to 0.5, from Xavier "
        "spreads; ReLU from 0.01 dies out, from Xavier shrinks layer by layer, "
        "from He keeps its spread",
        [
            above(
                "sigmoid, std 1: over half of layer 5 within 0.1 of 0 or 1",
                results["sigmoid_std_1"].stat(last("saturated")),
                0.5,
            ),
            below(
                "sigmoid, std 0.01: layer 5's spread < 0.05",
                results["sigmoid_std_0.01"].stat(last("std")),
                0.05,
                num,
            ),
            below(
                "sigmoid, Xavier: fewer saturated in layer 5 than from std 1",
                results["sigmoid_xavier"].stat(last("saturated")),
                results["sigmoid_std_1"].stat(last("saturated")),
            ),
            above(
                "sigmoid, Xavier: a wider spread in layer 5 than from std 0.01",
                results["sigmoid_xavier"].stat(last("std")),
                results["sigmoid_std_0.01"].stat(last("std")),
                num,
            ),
            below(
                "ReLU, std 0.01: layer 5's spread < 1e-3",
                results["relu_std_0.01"].stat(last("std")),
                1e-3,
                num,
            ),
            below(
                "ReLU, Xavier: layer 5's spread under half of layer 1's",
                results["relu_xavier"].stat(shrink),
                0.5,
                num,
            ),
            above(
                "ReLU, He: layer 5's spread over half of layer 1's",
                results["relu_he"].stat(shrink),
                0.5,
                num,
            ),
        ],
    )


LAB = Lab(
    title=(
        "Activations layer by layer under six initial weight scales, as in the book"
    ),
    book=(
        "Deep Learning from Scratch (Saito), §6.2.2–6.2.3, program "
        "ch06/weight_init_activation_histogram.py (Figs. 6-10 to 6-14): 1,000 "
        "random inputs N(0, 1) of 100 values through 5 layers of 100 units "
        "without biases, each layer's activations drawn as a histogram on [0, 1] "
        "(30 bins). Sigmoid with weights of std 1: activations pile up at 0 and 1 "
        "(the gradient vanishes); std 0.01: all near 0.5 (the units say the same "
        "thing); Xavier (std √(1/n)): spread out. ReLU with std 0.01: all near 0; "
        "Xavier: the spread shrinks layer by layer; He (std √(2/n)): the same in "
        "every layer."
    ),
    description=(
        "the book's set-up in Keras: Dense(100, use_bias=False) layers with "
        "dnnlab's initializers (random_normal, and the slide's plain-normal "
        "xavier and he: the book's np.random.randn · std), one forward pass, no "
        "training. Each seed draws new inputs and weights."
    ),
    usage=("python labs/textbook/weight_init_activation_histogram.py [--seeds 3]"),
    variants=variants,
    claim=claim,
    explorers=("explore_activations",),
    prediction=Prediction(
        (
            "Five layers of activations from the book's six starts (sigmoid from "
            "std 1, 0.01, Xavier; ReLU from std 0.01, Xavier, He): does each look "
            "as the book draws it?"
        ),
        (
            "each as the book draws it",
            "at least one differs",
        ),
        holds="each as the book draws it",
        fails="at least one differs",
    ),
    fit=fit,
    uses={
        "hidden_units": "the widths of the layers the random inputs pass",
        "activation": "",
        "initializer": "",
        "init_std": "",
    },
    mnist=False,  # the book's 1,000 random inputs
    columns={
        "layer 1 std": column(lambda r: r.extras["std"][0], ".3g"),
        "layer 5 std": column(last("std"), ".3g"),
        "layer 5 within 0.1 of 0 or 1": lambda seeds: pct(
            seeds.stat(last("saturated"))
        ),
    },
    figures={"histograms.png": figure},
)


if __name__ == "__main__":
    LAB.run()
