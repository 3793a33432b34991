import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, below, msg, plots

base = Config(
    name="overfit_weight_decay",
    hidden_units=(100,) * 6,
    activation="relu",
    initializer="he",
    optimizer="sgd",
    learning_rate=0.01,
    batch_size=100,
    limit=300,
    epochs=201,
    validation_split=0,
    curves=True,  # training (inference mode) and test accuracy after each epoch
    checkpoint=False,
)
variants = {
    "none": base,
    "decay_0.1": base.replace(regularizer="l2", reg_lambda=0.1 / 2),  # ½λΣw²
}


def figure(results, path):
    return plots.train_vs_test(results, path, msg("the book's overfitting figures"))


def claim(results) -> Claim:
    none, decay = results["none"], results["decay_0.1"]
    return Claim(
        "on 300 images a 6-layer net overfits: training accuracy reaches 100 %, test "
        "accuracy stays far below; weight decay narrows the gap",
        [
            above(
                "training accuracy without decay > 99 %",
                none.stat("train_accuracy"),
                0.99,
            ),
            below(
                "gap (train − test): decay < none", decay.stat("gap"), none.stat("gap")
            ),
            below(
                "training accuracy: decay < none",
                decay.stat("train_accuracy"),
                none.stat("train_accuracy"),
            ),
        ],
    )


LAB = Lab(
    title="Overfitting and weight decay, as the textbook shows them",
    book=(
        "Deep Learning from Scratch (Saito), §6.4.1–6.4.2, program "
        "ch06/overfit_weight_decay.py: 300 training images, a 6 × 100 ReLU net "
        "with He's start, SGD at 0.01, minibatches of 100, 201 epochs, training "
        "and test accuracy after every epoch; without weight decay and with λ = "
        "0.1 in the book's ½λ·Σw² (every layer, the output too). The book's "
        "figures: without decay training accuracy reaches 100 % while test "
        "accuracy stays far below; with decay the gap narrows and training "
        "accuracy no longer reaches 100 %."
    ),
    description=(
        "the book's set-up with dnnlab's Config; Keras' L2 adds λ·Σw², so the "
        "book's λ = 0.1 is reg_lambda 0.05. Test accuracy is plotted during "
        "training as the book does; nothing is selected on it."
    ),
    usage="python labs/textbook/overfit_weight_decay.py [--seeds 3]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "300 training images, a 6-layer net: does it reach 100 % training "
            "accuracy with test accuracy far below, and does weight decay narrow "
            "the gap?"
        ),
        (
            "yes, both",
            "not both",
        ),
        holds="yes, both",
        fails="not both",
    ),
    target=0.99,
    figures={"train_vs_test.png": figure},
    quick=("--epochs", "2"),
)


if __name__ == "__main__":
    LAB.run()
