import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, below, measures, num

config = Config(
    name="DNN_deep_hidden_layer5",
    hidden_units=(256,) * 5,
    activation="relu",
    initializer="he_normal",
    optimizer="adam",
    learning_rate=0.001,
    lr_schedule="cosine",  # small steps at the end settle the weights
    dropout=0.2,
    epochs=15,
)


def sigmoid_ratio(result, data) -> float:
    """The same ratio for the same net with sigmoid units."""
    from dnnlab.probe import gradient_ratio

    return gradient_ratio(result.config.replace(activation="sigmoid"), data)


def claim(results) -> Claim:
    net = results["net"]
    return Claim(
        "in five layers, sigmoid's gradient vanishes toward the input while ReLU's "
        "does not; the ReLU net reaches about 98 %",
        [
            below(
                "sigmoid: 1st / last hidden gradient < 0.1",
                net.stat("sigmoid_ratio"),
                0.1,
                num,
            ),
            above(
                "this net: 1st / last hidden gradient > 0.1",
                net.stat("grad_ratio"),
                0.1,
                num,
            ),
            above("test accuracy > 97.5 %", net.stat("test_accuracy"), 0.975),
        ],
    )


LAB = Lab(
    title="A deeper net — five hidden layers, and the vanishing gradient",
    slide=(
        '"Deep Neural Network - sigmoid / ReLU" (exercise DNN_deep_hidden_layer5.py)'
    ),
    description=(
        "784 → 5 × 256 → 10 with ReLU. Before training, the gradient norm of the "
        "first hidden layer's kernel over the last one's, on the first batches: "
        "with ReLU they stay comparable; the same net with sigmoid gets a "
        "first-layer gradient far below the last's (the vanishing gradient). "
        "Trained, the ReLU net reaches about 98 %. In TensorBoard, gradient_norm/ "
        "holds each layer's gradient norm as it trains."
    ),
    usage="python labs/DNN_deep_hidden_layer5.py [--activation sigmoid]",
    variants=config,
    claim=claim,
    prediction=Prediction(
        (
            "Five hidden layers, sigmoid and ReLU: does sigmoid's gradient shrink "
            "toward the input while ReLU's does not, and does the ReLU net reach "
            "about 98 %?"
        ),
        (
            "yes, both",
            "not both",
        ),
        holds="yes, both",
        fails="not both",
    ),
    target=0.98,
    detail=True,  # each layer's gradient norm in TensorBoard
    extras={"grad_ratio": measures.grad_ratio, "sigmoid_ratio": sigmoid_ratio},
)


if __name__ == "__main__":
    LAB.run()
