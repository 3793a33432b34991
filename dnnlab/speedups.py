"""dnnlab's speed-ups over Keras as it comes, each one flag away (--plain-keras).

- FusedAdam: Keras' Adam with each variable's update one fused TensorFlow kernel
  (ResourceApplyAdam) instead of about fifteen small ops (tests/test_model.py: the
  same steps as Keras' Adam).
- scanned: on JAX, each compiled call's steps in one lax.scan instead of a Python
  loop of compiled steps (tests/test_jax.py: the same steps as Keras').
- Evaluate: validation (and the textbook's curves) as a plain forward pass on large
  chunks after each epoch instead of Keras' evaluate loop, which traces a compiled
  function and feeds batches through a dataset (tests/test_training.py).

With Config(plain_keras=True) training uses none of them: keras.optimizers.Adam,
Keras' own train function, fit's validation_data and its own callbacks
(tests/test_plain_keras.py: per-step losses agree to 1e-4).
"""

from __future__ import annotations

import itertools

import numpy as np

from dnnlab.backend import keras
from dnnlab.evaluation import evaluate


class FusedAdam(keras.optimizers.Adam):
    """Keras' Adam; on TensorFlow each variable's update is one fused kernel,
    ResourceApplyAdam, as Keras 2's Adam applied it. The same arithmetic as Keras 3's
    update_step: m += (g − m)(1 − β₁), v += (g² − v)(1 − β₂),
    w −= α·m / (√v + ε) with α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ); Keras 3 writes it as about
    fifteen small ops per variable (BENCHMARKS.md, "Keras' own Adam": what it saves)."""

    def update_step(self, gradient, variable, learning_rate):
        if keras.backend.backend() != "tensorflow" or self.amsgrad:
            return super().update_step(gradient, variable, learning_rate)
        import tensorflow as tf

        if isinstance(gradient, tf.IndexedSlices):  # sparse: Keras' own update
            return super().update_step(gradient, variable, learning_rate)
        i, dtype = self._get_variable_index(variable), variable.dtype
        step = tf.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=self._momentums[i].value.handle,
            v=self._velocities[i].value.handle,
            beta1_power=tf.pow(beta_1, step),
            beta2_power=tf.pow(beta_2, step),
            lr=tf.cast(learning_rate, dtype),
            beta1=beta_1,
            beta2=beta_2,
            epsilon=tf.cast(self.epsilon, dtype),
            grad=tf.cast(gradient, dtype),
        )


def scanned(model: keras.Model):
    """Keras' train function on JAX, with each execution's steps (trace_every) in one
    compiled lax.scan instead of a Python loop of compiled steps: the same steps,
    one dispatch. A short last execution is padded and its extra steps skipped."""
    import jax

    k, step = model.steps_per_execution, model.train_step

    def steps(state, batches, valid):
        def body(carry, inputs):
            def run(carry):
                logs, state = step(carry[0], inputs[0])
                return state, logs

            return jax.lax.cond(inputs[1], run, lambda carry: carry, carry), None

        first = jax.tree.map(lambda b: b[0], batches)
        logs = jax.eval_shape(lambda s, b: step(s, b)[0], state, first)
        logs = jax.tree.map(lambda a: jax.numpy.zeros(a.shape, a.dtype), logs)
        (state, logs), _ = jax.lax.scan(body, (state, logs), (batches, valid))
        return logs, state

    steps = jax.jit(steps, donate_argnums=0)
    one = jax.jit(step, donate_argnums=0)  # a last batch smaller than the others

    def train_function(state, iterator):
        batches = list(itertools.islice(iterator, k))
        if not batches:
            raise StopIteration
        size = len(jax.tree.leaves(batches[0])[0])
        full = [b for b in batches if len(jax.tree.leaves(b)[0]) == size]
        padded = full + full[-1:] * (k - len(full))
        stacked = jax.tree.map(lambda *b: np.stack(b), *padded)
        logs, state = steps(state, stacked, np.arange(k) < len(full))
        for batch in batches[len(full) :]:
            logs, state = one(state, batch)
        return logs, state

    return train_function


class Evaluate(keras.callbacks.Callback):
    """After each epoch, loss and accuracy of each named set in inference mode, put
    into the epoch's logs: `val` (Keras' val_loss, val_accuracy) and, for the
    textbook's curves, `inference` (the training set) and `test`. First in the
    callbacks: History, TensorBoard and the progress bar then see its numbers."""

    def __init__(self, sets: dict[str, tuple[np.ndarray, np.ndarray]]):
        super().__init__()
        self.sets = sets

    def on_epoch_end(self, epoch, logs=None):
        for name, (x, t) in self.sets.items():
            loss, accuracy, _ = evaluate(self.model, x, t)
            if logs is not None:
                logs.update({f"{name}_loss": loss, f"{name}_accuracy": accuracy})
