import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, below, msg, plots

base = Config(
    name="overfit_dropout",
    hidden_units=(100,) * 6,
    activation="relu",
    initializer="he",
    optimizer="sgd",
    learning_rate=0.01,
    batch_size=100,
    limit=300,
    epochs=301,
    validation_split=0,
    curves=True,  # training (inference mode) and test accuracy after each epoch
    checkpoint=False,
)
variants = {"none": base, "dropout_0.2": base.replace(dropout=0.2)}


def figure(results, path):
    return plots.train_vs_test(results, path, msg("the book's dropout figure"))


def claim(results) -> Claim:
    none, dropout = results["none"], results["dropout_0.2"]
    return Claim(
        "dropout narrows the gap between training and test accuracy of a 6-layer "
        "net on 300 images; its training accuracy stays below 100 %",
        [
            below(
                "gap (train − test): dropout < none",
                dropout.stat("gap"),
                none.stat("gap"),
            ),
            below(
                "training accuracy: dropout < none",
                dropout.stat("train_accuracy"),
                none.stat("train_accuracy"),
            ),
        ],
    )


LAB = Lab(
    title="Dropout against overfitting, as the textbook shows it",
    book=(
        "Deep Learning from Scratch (Saito), §6.4.3, program "
        "ch06/overfit_dropout.py: 300 training images, a 6 × 100 ReLU net with "
        "He's start, dropout ratio 0.2 after every hidden layer, SGD at 0.01, "
        "minibatches of 100, 301 epochs, training and test accuracy after every "
        "epoch. The book's figure: with dropout the gap between training and test "
        "accuracy narrows and training accuracy no longer reaches 100 %."
    ),
    description=(
        "the book's set-up with dnnlab's Config, beside the same net without "
        "dropout. Keras' dropout scales the kept units by 1/(1 − ratio) while "
        "training, the book's scales the outputs by (1 − ratio) at inference: the "
        "same expected values. Test accuracy is plotted during training as the "
        "book does; nothing is selected on it."
    ),
    usage="python labs/textbook/overfit_dropout.py [--seeds 3]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "The same 300 images: does dropout narrow the gap between training and "
            "test accuracy, and lower the training accuracy?"
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
