import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

from dnnlab import (
    Claim,
    Config,
    Lab,
    Prediction,
    Stat,
    above,
    below,
    msg,
    num,
    pct,
    plots,
)

import numpy as np

SCALES = np.logspace(0, -4, num=16)
base = Config(
    name="batch_norm_test",
    hidden_units=(100,) * 5,
    activation="relu",
    initializer="random_normal",
    optimizer="sgd",
    learning_rate=0.01,
    batch_size=100,
    limit=1000,
    epochs=20,
    validation_split=0,
    curves=True,  # accuracy on the 1,000 images after each epoch, inference mode
    bn_momentum=0.9,
    bn_epsilon=1e-6,
    checkpoint=False,
)
variants = {
    f"{kind}_{w:.2g}": base.replace(
        init_std=float(w), batch_norm="before" if kind == "bn" else "off"
    )
    for w in SCALES
    for kind in ("bn", "plain")
}


def final(r) -> float:
    return r.history["inference_accuracy"][-1]


def learned(results, kind: str) -> Stat:
    """Per seed, how many of the 16 scales end above 80 % training accuracy."""
    runs = [results[f"{kind}_{w:.2g}"] for w in SCALES]
    seeds = min(len(r) for r in runs)
    return Stat(tuple(sum(final(r[k]) > 0.8 for r in runs) for k in range(seeds)))


def disagreement(results) -> Stat:
    """Per seed, the largest |inference-mode accuracy − accuracy during the last
    epoch| over the BN runs."""
    runs = [seeds for name, seeds in results.items() if name.startswith("bn_")]
    return Stat(
        tuple(
            max(abs(final(r[k]) - r[k].history["accuracy"][-1]) for r in runs)
            for k in range(min(len(r) for r in runs))
        )
    )


def figure(results, path):
    grid = {}
    for w in SCALES:
        lines = []
        for kind, style in (("bn", "-"), ("plain", "--")):
            for k, r in enumerate(results.get(f"{kind}_{w:.2g}", ())):
                label = msg("batch norm") if kind == "bn" else msg("without batch norm")
                style_k = dict(ls=style, color="C0" if kind == "bn" else "C1")
                lines.append(
                    (
                        r.history["inference_accuracy"],
                        {**style_k, "label": label if k == 0 else None},
                    )
                )
        grid[f"W: {w:.2g}"] = lines
    title = msg("the book's batch-norm test: training accuracy")
    return plots.panels(grid, path, title)


def claim(results) -> Claim:
    return Claim(
        "with batch norm a 5-layer net learns from far more initial scales than "
        "without; its inference-mode accuracy agrees with training",
        [
            above(
                "scales that reach 80 % training accuracy: BN > plain",
                learned(results, "bn"),
                learned(results, "plain"),
                num,
            ),
            below(
                "largest |inference − training-mode accuracy| of a seed's BN runs "
                "< 2 points",
                disagreement(results),
                0.02,
                pct,
            ),
        ],
    )


LAB = Lab(
    title=(
        "Batch normalization across 16 initial weight scales, as the textbook tests it"
    ),
    book=(
        "Deep Learning from Scratch (Saito), §6.3.2, program "
        "ch06/batch_norm_test.py: 1,000 training images, a 5 × 100 ReLU net with "
        "and without batch norm (before each ReLU; momentum 0.9, ε 1e-6), SGD at "
        "0.01, minibatches of 100, 20 epochs, every weight drawn from a normal "
        "with std from 1 to 1e-4 (16 steps, log-spaced). The book's 4 × 4 figure "
        "of training accuracy per epoch: with batch norm the net learns fast at "
        "almost every scale; without it, only in a narrow band, and not at all "
        "from a poor start."
    ),
    description=(
        "the book's set-up with dnnlab's Config; the accuracy on the 1,000 images "
        "is measured after each epoch in inference mode (batch norm's moving "
        "averages), as the book's network.accuracy() does (the book measures "
        "before each epoch). Keras' batch norm starts its moving variance at 1, "
        "the book's at 0."
    ),
    usage="python labs/textbook/batch_norm_test.py [--seeds 3]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "A 5-layer net from 16 initial weight scales: does batch norm let it "
            "learn from far more of them, with its inference-mode accuracy agreeing"
            " with training's?"
        ),
        (
            "yes, both",
            "not both",
        ),
        holds="yes, both",
        fails="not both",
    ),
    figures={"accuracy_grid.png": figure},
    quick=("--variants", "bn_0.014,plain_0.014", "--epochs", "2"),
)


if __name__ == "__main__":
    LAB.run()
