import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, loss, measures, msg, plots

base = Config(
    name="optimizer_compare_mnist",
    hidden_units=(100,) * 4,
    activation="relu",
    initializer="he",
    learning_rate=0.01,
    batch_size=128,
    steps=2000,
    trace_every=1,
    validation_split=0,
    checkpoint=False,
)
variants = {
    "sgd": base.replace(optimizer="sgd"),
    "momentum": base.replace(optimizer="momentum"),
    "adagrad": base.replace(optimizer="adagrad", adagrad_accumulator=0.0),
    "adam": base.replace(optimizer="adam", learning_rate=0.001),
}


def figure(results, path):
    title = msg("the book's optimizer comparison")
    return plots.trace(results, path, title, smooth=11, ylim=(0, 1))


def claim(results) -> Claim:
    r = results
    others = [("Momentum", "momentum"), ("AdaGrad", "adagrad"), ("Adam", "adam")]
    return Claim(
        "on MNIST plain SGD learns slowest; Momentum, AdaGrad and Adam faster, "
        "AdaGrad a little ahead",
        [
            above(
                msg("last 100 iterations, loss: SGD > {rule}", rule=label),
                r["sgd"].stat(measures.tail_loss),
                r[name].stat(measures.tail_loss),
                loss,
            )
            for label, name in others
        ]
        + [
            above(
                msg(
                    "mean loss over the 2,000 iterations: {rule} > AdaGrad", rule=label
                ),
                r[name].stat(measures.mean_loss),
                r["adagrad"].stat(measures.mean_loss),
                loss,
            )
            for label, name in others[::2]
        ],
    )


LAB = Lab(
    title=("SGD, Momentum, AdaGrad and Adam on MNIST, as the textbook compares them"),
    book=(
        "Deep Learning from Scratch (Saito), §6.1.8, program "
        "ch06/optimizer_compare_mnist.py: a 4 × 100 ReLU net with He's start, "
        "minibatches of 128, 2,000 iterations; SGD 0.01, Momentum 0.01 (0.9), "
        "AdaGrad 0.01, Adam 0.001 (0.9, 0.999). The book's figure (Fig. 6-9): "
        "the training loss of each against iterations, smoothed; its text: SGD "
        "learns slowest, the other three faster, and AdaGrad seems to learn a "
        "little faster still. Read literally, a speed of learning: the curve "
        "that lies lower over the iterations."
    ),
    description=(
        "the book's set-up with dnnlab's Config. AdaGrad starts its sum of "
        "squared gradients at 0, as the book's does (Keras starts it at 0.1, "
        "which slows its first steps); Keras' Momentum, AdaGrad and Adam are "
        "otherwise the book's update rules. SGD against the others: the loss of "
        "the last 100 iterations; AdaGrad ahead: the mean loss over all 2,000 "
        "iterations, the area under the book's curve."
    ),
    usage="python labs/textbook/optimizer_compare_mnist.py [--seeds 3]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "On MNIST, the book's four rules: which learns slowest, and which is a "
            "little ahead?"
        ),
        (
            "SGD slowest, AdaGrad a little ahead",
            "another order",
        ),
        holds="SGD slowest, AdaGrad a little ahead",
        fails="another order",
    ),
    figures={"loss_by_iteration.png": figure},
    quick=("--steps", "30"),
)


if __name__ == "__main__":
    LAB.run()
