"""Looks inside a network: gradient norms and activations at initialization, and
any numbers recorded every N steps while it trains."""

from __future__ import annotations

import numpy as np

from dnnlab.backend import keras
from dnnlab.config import Config
from dnnlab.data import Mnist, one_hot
from dnnlab.evaluation import predict
from dnnlab.model import build_model, loss


def initial_model(config: Config) -> keras.Model:
    """The model as train() starts it: same seed, so the same initial weights."""
    keras.utils.set_random_seed(config.seed)
    return build_model(config)


def positions(model: keras.Model, variables) -> list[int]:
    """Where each of `variables` sits in model.trainable_variables, the order of
    gradients()."""
    position = {id(w): i for i, w in enumerate(model.trainable_variables)}
    return [position[id(v)] for v in variables]


def gradient_norms(config: Config, data: Mnist, batches: int = 10) -> list[float]:
    """Mean L2 norm of each Dense kernel's gradient over the first training batches.

    The last entry is the output layer; a vanishing gradient shows as first << last.
    """
    model = initial_model(config)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    kernels = positions(model, [layer.kernel for layer in dense])
    (x, y), _ = data.split(config.validation_split, config.limit)
    cost, bs = loss(config), min(config.batch_size, len(x))
    batches = max(1, min(batches, len(x) // bs))  # full batches only
    total = np.zeros(len(kernels))
    for i in range(batches):
        xb, yb = x[i * bs : (i + 1) * bs], one_hot(y[i * bs : (i + 1) * bs])
        grads = gradients(model, cost, xb, yb)
        total += [float(np.linalg.norm(grads[k])) for k in kernels]
    return [float(v) for v in total / batches]


def gradients(model: keras.Model, cost, x, y, variables=None) -> list[np.ndarray]:
    """d cost / d each of `variables` (default: every trainable variable, in
    model.trainable_variables' order) on one batch, in training mode, as NumPy
    arrays: the one backend-specific step of the probes. Asking for a few (biases)
    skips the others' gradients: the same values, bit for bit, in half the time."""
    trainable = model.trainable_variables
    variables = list(trainable if variables is None else variables)
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        fixed = [v.value for v in model.non_trainable_variables]
        chosen = positions(model, variables)

        def value(picked):
            values = [v.value for v in trainable]
            for i, w in zip(chosen, picked, strict=True):
                values[i] = w
            out, _ = model.stateless_call(values, fixed, x, training=True)
            return cost(y, out)

        grads = jax.grad(value)([trainable[i].value for i in chosen])
    elif backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            value = cost(y, model(x, training=True))
        grads = tape.gradient(value, variables)
    else:
        raise NotImplementedError(f"gradient probe on the {backend} backend")
    return [np.asarray(keras.ops.convert_to_numpy(g)) for g in grads]


class _Shift(keras.layers.Layer):
    """Adds a trainable zero to a layer's output, one row per image: the gradient
    with respect to it is d cost / d that output, image by image."""

    def __init__(self, shape, **kwargs):
        super().__init__(**kwargs)
        self.shift = self.add_weight(shape=shape, initializer="zeros", name="shift")

    def call(self, x):
        return x + self.shift


def image_gradients(model: keras.Model, cost, x, y) -> list[np.ndarray]:
    """For each hidden Dense layer, d cost / d its output (the pre-activation), one
    row per image of x, as if each image were its own batch: what that layer's bias
    gradient is on that one image. One backward pass for all the images, on the
    model's own layers; the cost must be a mean over the batch. Not for batch norm or
    dropout, whose training mode draws on the whole batch."""
    if any(layer.name.startswith(("bn_", "dropout_")) for layer in model.layers):
        raise ValueError("image_gradients: a model with batch norm or dropout")
    h = inputs = keras.Input(model.inputs[0].shape[1:], batch_size=len(x))
    shifts = []
    for layer in model.layers:
        h = layer(h)
        if layer.name.startswith("dense_"):
            shifts.append(_Shift((len(x), layer.units)))
            h = shifts[-1](h)
    probe = keras.Model(inputs, h)
    grads = gradients(probe, cost, x, y, [s.shift for s in shifts])
    return [len(x) * g for g in grads]


def kernel_gradients(model, kernels):
    """(x, y) -> d loss / d each of `kernels` on that batch, in training mode, as
    NumPy arrays; compiled once, for logging while training (gradients()' eager tape
    costs ~80 ms a call on 2 cores, a second an epoch every 50 steps; the probes keep
    it, so that their numbers stay as they were)."""
    if keras.backend.backend() == "jax":
        import jax

        at = positions(model, kernels)

        def value(trainable, fixed, x, y):
            out, _ = model.stateless_call(trainable, fixed, x, training=True)
            return model.loss(y, out)

        grad = jax.jit(jax.grad(value))

        def run(x, y):
            values = [v.value for v in model.trainable_variables]
            fixed = [v.value for v in model.non_trainable_variables]
            grads = grad(values, fixed, x, y)
            return [np.asarray(grads[i]) for i in at]

        return run
    import tensorflow as tf

    @tf.function
    def grads(x, y):
        with tf.GradientTape() as tape:
            cost = model.loss(y, model(x, training=True))
        return tape.gradient(cost, kernels)

    def run(x, y):
        # Training mode moves batch norm's statistics and dropout's seed: put them
        # back, so that looking leaves the training as it was (JAX's call is
        # stateless).
        state = [keras.ops.convert_to_numpy(v) for v in model.non_trainable_variables]
        out = [g.numpy() for g in grads(x, y)]
        for v, before in zip(model.non_trainable_variables, state, strict=True):
            v.assign(before)
        return out

    return run


def hidden_outputs(model: keras.Model, x: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's output (after its activation) for x, in inference mode."""
    layers = [layer.output for layer in model.layers if layer.name.startswith("act_")]
    if not layers:
        return []
    outputs = keras.Model(model.inputs[0], layers)(x, training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]  # one layer
    return [keras.ops.convert_to_numpy(a) for a in outputs]


def activations(config: Config, x: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's output for x, at initialization."""
    return hidden_outputs(initial_model(config), x)


def dead_units(model: keras.Model, x: np.ndarray) -> float:
    """Fraction of hidden units whose output is the same for every input in x.

    Such a unit passes no gradient back: a ReLU stuck at 0 is dead. A Leaky ReLU unit
    that never turns positive still varies (0.01·x), so it still learns.
    """
    stuck = [np.all(a == a[:1], axis=0) for a in hidden_outputs(model, x)]
    return float(np.mean(np.concatenate(stuck))) if stuck else 0.0


def gradient_ratio(config: Config, data: Mnist) -> float:
    """First hidden layer's gradient norm over the last hidden layer's, before
    training: far below 1 when the gradient vanishes toward the input."""
    norms = gradient_norms(config, data)
    return norms[0] / norms[-2]


def softmax_sum_error(model: keras.Model, x: np.ndarray) -> float:
    """The largest |Σ softmax − 1| over the rows of x: 0 for probabilities."""
    p = predict(model, x)
    return float(np.abs(p.sum(axis=1, dtype=np.float64) - 1).max())


class Every(keras.callbacks.Callback):
    """While training, every `steps` steps: record(model) -> {name: number}, kept in
    `records` ({"step": [...], name: [...]}) for a Result's extras. With several steps
    per execution it fires at the first execution end at or past each multiple."""

    def __init__(self, steps: int, record):
        super().__init__()
        self.steps, self.record = steps, record
        self.records: dict[str, list[float]] = {"step": []}

    def on_train_batch_end(self, batch, logs=None):
        step = int(self.model.optimizer.iterations)
        if step // self.steps > len(self.records["step"]):
            self.records["step"].append(step)
            for name, value in self.record(self.model).items():
                self.records.setdefault(name, []).append(float(value))
