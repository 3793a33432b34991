"""The numbers several labs measure, written once.

Each `f(result, data) -> number` is a lab's extra (a Lab's `extras=`), computed
after the run and saved with it; `error` and `tail_loss` read a saved Result (for
claims and columns); `recorded` is train() with a record taken during training.
Imports no TensorFlow until one is called, so a lab's --help stays instant.
"""

from __future__ import annotations

from collections.abc import Callable


def grad_ratio(result, data) -> float:
    """First hidden layer's gradient norm over the last's, before training: far
    below 1 when the gradient vanishes toward the input."""
    from dnnlab.probe import gradient_ratio

    return gradient_ratio(result.config, data)


def sum_error(result, data) -> float:
    """The largest |Σ softmax − 1| over the test images: 0 for probabilities."""
    from dnnlab.probe import softmax_sum_error

    return softmax_sum_error(result.model, data.x_test)


def error(result) -> float:
    """The test error: 1 − test accuracy."""
    return 1 - result.test_accuracy


def tail_loss(result, n: int = 100) -> float:
    """The mean training loss of the last `n` traced iterations."""
    return sum(v for _, v in result.trace[-n:]) / n


def mean_loss(result) -> float:
    """The mean training loss over every traced iteration: the area under the loss
    curve, divided by its length; lower for a run that learns faster."""
    return sum(v for _, v in result.trace) / len(result.trace)


def recorded(config, data, run_dir, record: Callable, times: int = 50):
    """train(), calling `record(model) -> {name: number}` `times` times over the
    run (every steps // times steps); the records saved in the result's extras."""
    from dnnlab.probe import Every
    from dnnlab.training import train

    probe = Every(max(1, config.steps // times), record)
    result = train(config, data, run_dir=run_dir, callbacks=[probe])
    result.extras.update(probe.records)
    result.save()
    return result
