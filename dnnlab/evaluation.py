"""The net's outputs, loss and accuracy in inference mode, by a plain forward pass.

Used by training (validation and the final test), probe and tboard; imports no
other part of dnnlab that trains.
"""

from __future__ import annotations

import numpy as np

from dnnlab.backend import keras

# Images per forward pass when evaluating: no gradient, so large chunks are cheapest.
EVAL_CHUNK = 10_000


def predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """The net's outputs in inference mode (no dropout, batch norm's moving averages).

    A plain call on large chunks: on a CPU it is faster than Keras' predict and
    evaluate, which trace a compiled function first and feed batches through a
    dataset.
    """
    chunks = [
        keras.ops.convert_to_numpy(model(x[i : i + EVAL_CHUNK], training=False))
        for i in range(0, len(x), EVAL_CHUNK)
    ]
    return np.concatenate(chunks).astype(np.float32)


def evaluate(model: keras.Model, x: np.ndarray, targets: np.ndarray):
    """(loss, accuracy, outputs) as Keras' evaluate reports them: the compiled loss
    with the weight penalty, and the share of argmax hits."""
    p = predict(model, x)
    penalty = sum(float(keras.ops.convert_to_numpy(w)) for w in model.losses)
    loss = float(keras.ops.convert_to_numpy(model.loss(targets, p))) + penalty
    return loss, float(np.mean(p.argmax(axis=1) == targets.argmax(axis=1))), p
