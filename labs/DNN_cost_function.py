import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, below, measures, num

base = Config(
    name="DNN_cost_function",
    hidden_units=(256, 256),
    optimizer="sgd",  # plain gradient descent shows the gradients as they are
    learning_rate=0.1,
    epochs=5,
)
variants = {"cross_entropy": base, "mse": base.replace(loss="mse")}


def claim(results) -> Claim:
    ce, mse = results["cross_entropy"], results["mse"]
    return Claim(
        "softmax outputs sum to 1; with the same gradient descent, cross-entropy "
        "learns faster than MSE",
        [
            below("largest |Σ softmax − 1|", ce.stat("sum_error"), 1e-5, num),
            below(
                "epochs to 95 % validation: cross-entropy < MSE",
                ce.stat(lambda r: r.epochs_to(0.95)),
                mse.stat(lambda r: r.epochs_to(0.95)),
                num,
            ),
            above(
                "test accuracy: cross-entropy > MSE",
                ce.stat("test_accuracy"),
                mse.stat("test_accuracy"),
            ),
        ],
    )


LAB = Lab(
    title=("Cost functions — mean squared error vs cross-entropy on softmax outputs"),
    slide='"Deep Neural Network - cost function / softmax"',
    description=(
        "the same net, seed and plain gradient descent, once with MSE and once "
        "with cross-entropy. Softmax outputs are probabilities (they sum to 1); "
        "cross-entropy's gradient stays large while the answer is wrong, MSE's "
        "fades, so cross-entropy learns faster."
    ),
    usage="python labs/DNN_cost_function.py [--epochs 5]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "The same plain gradient descent (rate 0.1) with two costs: which "
            "reaches 95 % validation accuracy sooner and ends more accurate on the "
            "test set (the softmax outputs summing to 1)?"
        ),
        (
            "MSE, on both",
            "cross-entropy, on both",
            "neither on both",
        ),
        holds="cross-entropy, on both",
        fails="neither on both",
    ),
    target=0.95,
    extras={"sum_error": measures.sum_error},
)


if __name__ == "__main__":
    LAB.run()
