"""
Title: Optimizers — SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam
Slide: "Deep Neural Network - optimizer"
Description: the same net from the same initial weights, trained by each update rule at
its usual learning rate. The figure is the slide's comparison: training loss against
iterations. Momentum, RMSProp and Adam reach a low loss in far fewer iterations than
plain SGD.
Run: python labs/DNN_optimizer.py [--epochs 3]
"""

from dnnlab import Config, compare, plots, run_cli

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
LOSS = 0.2  # the table counts the iterations each needs to get below this loss


def first_below(result) -> str:
    return next((str(step) for step, loss in result.trace if loss < LOSS), "—")


def columns(results: dict) -> dict:
    return {f"iters to {LOSS}": {n: first_below(r) for n, r in results.items()}}


if __name__ == "__main__":
    figures = {"loss_by_iteration.png": plots.trace}  # the slide's comparison
    run_cli(lambda v: compare(v, columns=columns, figures=figures), variants)
