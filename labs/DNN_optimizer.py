"""
Title: Optimizers — SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam
Slide: "Deep Neural Network - optimizer"
Description: the same net from the same initial weights, trained by each update rule at
its usual learning rate. The figure is the slide's comparison: training loss against
iterations. Momentum, RMSProp and Adam reach a low loss in far fewer iterations than
plain SGD.
Run: python labs/DNN_optimizer.py [--epochs 3]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, below, num, plots, run_lab

base = Config(name="DNN_optimizer", hidden_units=(256, 256), epochs=3)
rates = {
    "sgd": 0.01,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.01,
    "rmsprop": 0.001,
    "adam": 0.001,
}
variants = {o: base.replace(optimizer=o, learning_rate=lr) for o, lr in rates.items()}
LOSS = 0.2  # the claim counts the iterations each needs to get below this loss


def claim(results) -> Claim:
    def iters(name):
        return results[name].stat(lambda r: r.iterations_to(LOSS))

    return Claim(
        f"Momentum, RMSProp and Adam reach a training loss of {LOSS} in fewer "
        "iterations than plain SGD",
        [
            below(
                f"iterations to loss {LOSS}: {name} < SGD",
                iters(name),
                iters("sgd"),
                num,
            )
            for name in ("momentum", "rmsprop", "adam")
        ],
    )


if __name__ == "__main__":
    figures = {"loss_by_iteration.png": plots.trace}  # the slide's comparison
    run_lab(variants, claim, figures=figures)
