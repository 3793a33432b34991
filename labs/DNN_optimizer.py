import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, Prediction, below, msg, num, plots

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
        msg(
            "Momentum, RMSProp and Adam reach a training loss of {loss} in fewer "
            "iterations than plain SGD",
            loss=LOSS,
        ),
        [
            below(
                msg("iterations to loss {loss}: {name} < SGD", loss=LOSS, name=name),
                iters(name),
                iters("sgd"),
                num,
            )
            for name in ("momentum", "rmsprop", "adam")
        ],
    )


figures = {"loss_by_iteration.png": plots.trace}

LAB = Lab(
    title="Optimizers — SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam",
    slide='"Deep Neural Network - optimizer"',
    description=(
        "the same net from the same initial weights, trained by each update rule "
        "at its usual learning rate. The figure is the slide's comparison: "
        "training loss against iterations. Momentum, RMSProp and Adam reach a low "
        "loss in far fewer iterations than plain SGD."
    ),
    usage="python labs/DNN_optimizer.py [--epochs 3]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "Which reach a training loss of 0.2 in fewer iterations: plain SGD, or "
            "Momentum, RMSProp and Adam?"
        ),
        (
            "plain SGD",
            "Momentum, RMSProp and Adam",
        ),
        holds="Momentum, RMSProp and Adam",
        fails="plain SGD",
    ),
    figures=figures,
)


if __name__ == "__main__":
    LAB.run()
