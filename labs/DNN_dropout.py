import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, below, plots

base = Config(
    name="DNN_dropout",
    hidden_units=(1024, 1024),
    limit=2000,  # a large net, few images: it overfits
    optimizer="momentum",  # Adam memorizes 2,000 images with or without dropout
    learning_rate=0.01,
    epochs=30,
)
variants = {
    "dropout_0": base,
    "dropout_0.2": base.replace(dropout=0.2),
    "dropout_0.5": base.replace(dropout=0.5),
    "too_small": base.replace(hidden_units=(2,)),  # underfits
}


def claim(results) -> Claim:
    def gap(name):
        return results[name].stat("gap")

    return Claim(
        "dropout narrows the overfitting gap; a net too small underfits",
        [
            below("gap: dropout 0.2 < none", gap("dropout_0.2"), gap("dropout_0")),
            below("gap: dropout 0.5 < none", gap("dropout_0.5"), gap("dropout_0")),
            below(
                "train accuracy: 2 hidden units < 90 %",
                results["too_small"].stat("train_accuracy"),
                0.9,
            ),
        ],
    )


figures = {"train_vs_validation.png": plots.train_vs_validation}

LAB = Lab(
    title="Overfitting, underfitting and dropout",
    slide='"Deep Neural Network - overfitting / dropout"',
    description=(
        "a large net on 2,000 training images overfits (train accuracy far above "
        "validation); dropping 20 % or 50 % of the hidden units while training "
        "narrows the gap. A net with two hidden units underfits: train and "
        "validation accuracy both stay low. The figure overlays train (dashed) "
        "and validation (solid) accuracy."
    ),
    usage="python labs/DNN_dropout.py [--epochs 30]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        "Dropout on a net that overfits, and a net too small: what happens?",
        (
            "dropout narrows the gap; the small net underfits",
            "not both",
        ),
        holds="dropout narrows the gap; the small net underfits",
        fails="not both",
    ),
    target=0.9,
    figures=figures,
)


if __name__ == "__main__":
    LAB.run()
