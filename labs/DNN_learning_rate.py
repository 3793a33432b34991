import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, above, loss, plots

base = Config(name="DNN_learning_rate", hidden_units=(256, 256), epochs=5)
variants = {
    **{
        f"sgd_{lr:g}": base.replace(optimizer="sgd", learning_rate=lr)
        for lr in (10.0, 1.0, 0.1, 0.01, 0.001, 0.0001)
    },
    **{
        f"adam_{lr:g}": base.replace(optimizer="adam", learning_rate=lr)
        for lr in (0.01, 0.001, 0.0001)
    },
}


def claim(results) -> Claim:
    def final(name):
        return results[name].stat("final_loss")

    return Claim(
        "a learning rate too large overshoots or diverges, one too small crawls; "
        "0.01–0.001 is the usual range",
        [
            above(
                "final loss: SGD at 10 > at 0.1 (overshoots)",
                final("sgd_10"),
                final("sgd_0.1"),
                loss,
            ),
            above(
                "final loss: SGD at 0.0001 > at 0.01 (crawls)",
                final("sgd_0.0001"),
                final("sgd_0.01"),
                loss,
            ),
            above(
                "final loss: Adam at 0.0001 > at 0.001 (crawls)",
                final("adam_0.0001"),
                final("adam_0.001"),
                loss,
            ),
        ],
    )


figures = {"loss_by_iteration.png": plots.trace}

LAB = Lab(
    title="The learning rate — too big overshoots, too small crawls",
    slide='"Deep Neural Network - learning rate"',
    description=(
        "plain gradient descent at learning rates from 10 down to 0.0001, and "
        "Adam at 0.01 to 0.0001, on the same net and seed. The figure shows the "
        "training loss by iteration: the largest rates overshoot (or diverge, "
        "reported as such, and the others go on), the smallest crawl; 0.01–0.001 "
        "is the slide's usual range."
    ),
    usage="python labs/DNN_learning_rate.py [--epochs 5]",
    variants=variants,
    claim=claim,
    explorers=("explore_learning_rate",),
    prediction=Prediction(
        (
            "SGD at 10 against 0.1, and at 0.0001 against 0.01, 5 epochs each: "
            "which rate of each pair ends with the lower loss?"
        ),
        (
            "10 and 0.0001: the extremes",
            "0.1 and 0.01: the middle rates",
        ),
        holds="0.1 and 0.01: the middle rates",
        fails="10 and 0.0001: the extremes",
    ),
    target=0.95,
    figures=figures,
)


if __name__ == "__main__":
    LAB.run()
