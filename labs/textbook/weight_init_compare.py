import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, loss, measures, msg, plots

base = Config(
    name="weight_init_compare",
    hidden_units=(100,) * 4,
    activation="relu",
    optimizer="sgd",
    learning_rate=0.01,
    batch_size=128,
    steps=2000,
    trace_every=1,  # the book's curve has a point per iteration
    validation_split=0,
    checkpoint=False,
)
variants = {
    "std_0.01": base.replace(initializer="random_normal", init_std=0.01),
    "xavier": base.replace(initializer="xavier"),
    "he": base.replace(initializer="he"),
}


def figure(results, path):
    title = msg("the book's weight-init comparison")
    return plots.trace(results, path, title, smooth=11, ylim=(0, 2.5))


def claim(results) -> Claim:
    r = results
    return Claim(
        "from std 0.01 a 4-layer ReLU net does not learn in 2,000 SGD iterations; "
        "Xavier and He do, He faster",
        [
            above(
                "last 100 iterations, loss: std 0.01 > 2.2",
                r["std_0.01"].stat(measures.tail_loss),
                2.2,
                loss,
            ),
            above(
                "loss: std 0.01 > Xavier",
                r["std_0.01"].stat(measures.tail_loss),
                r["xavier"].stat(measures.tail_loss),
                loss,
            ),
            above(
                "loss: Xavier > He",
                r["xavier"].stat(measures.tail_loss),
                r["he"].stat(measures.tail_loss),
                loss,
            ),
        ],
    )


LAB = Lab(
    title="Weight initialization on MNIST, as the textbook compares it",
    book=(
        "Deep Learning from Scratch (Saito), §6.2.4, program "
        "ch06/weight_init_compare.py: a 4 × 100 ReLU net, plain SGD at 0.01, "
        "minibatches of 128, 2,000 iterations, from std 0.01, Xavier (std √(1/n)) "
        "and He (std √(2/n)). The book's figure: std 0.01 does not learn at all "
        "(loss stays at 2.30), Xavier and He learn, He fastest."
    ),
    description=(
        "the book's set-up with dnnlab's Config, the loss recorded at every "
        "iteration and drawn smoothed, as in the book. Minibatches come pass "
        "after pass over the shuffled 60,000 images (the book draws each one at "
        "random, with replacement)."
    ),
    usage="python labs/textbook/weight_init_compare.py [--seeds 3]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "A 4-layer ReLU net, 2,000 SGD iterations from std 0.01, Xavier and He:"
            " which starts learn, and which faster?"
        ),
        (
            "all three alike",
            "Xavier and He, He faster",
            "another outcome",
        ),
        holds="Xavier and He, He faster",
        fails="another outcome",
    ),
    figures={"loss_by_iteration.png": figure},
    quick=("--steps", "30"),
)


if __name__ == "__main__":
    LAB.run()
