import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, below, num

base = Config(
    name="DNN_batch_normalization",
    hidden_units=(256,) * 5,
    activation="relu",
    initializer="he_normal",
    optimizer="sgd",
    learning_rate=0.05,
    epochs=6,
)
poor = base.replace(initializer="random_normal", init_std=0.01)
variants = {
    "he": base,
    "he+bn": base.replace(batch_norm="before"),
    "normal_0.01": poor,
    "normal_0.01+bn": poor.replace(batch_norm="before"),
}


def claim(results) -> Claim:
    def epochs(name):
        return results[name].stat(lambda r: r.epochs_to(0.97))

    def acc(name):
        return results[name].stat("test_accuracy")

    return Claim(
        "batch normalization reaches 97 % in fewer epochs and still learns from a "
        "poorly scaled start",
        [
            below(
                "epochs to 97 % validation: He+BN < He",
                epochs("he+bn"),
                epochs("he"),
                num,
            ),
            above(
                "test accuracy from std 0.01: with BN > without",
                acc("normal_0.01+bn"),
                acc("normal_0.01"),
            ),
        ],
    )


LAB = Lab(
    title="Batch normalization",
    slide=(
        '"Deep Neural Network - batch normalization" (exercise '
        "DNN_batch_normalization.py)"
    ),
    description=(
        "the same five-layer net with and without batch normalization, trained by "
        "plain SGD: BN reaches 97 % validation accuracy in fewer epochs. From a "
        "poorly scaled start (normal, std 0.01) the plain net stalls, while BN "
        "renormalizes every layer and still learns."
    ),
    usage="python labs/DNN_batch_normalization.py [--epochs 6]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "With batch normalization: does the net reach 97 % in fewer epochs, and"
            " still learn from a poorly scaled start?"
        ),
        (
            "yes, both",
            "not both",
        ),
        holds="yes, both",
        fails="not both",
    ),
)


if __name__ == "__main__":
    LAB.run()
