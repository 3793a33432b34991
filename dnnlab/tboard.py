"""TensorBoard beyond the Keras callback: batch scalars and activation histograms.

TensorFlow-only (it writes through tf.summary), like Keras' TensorBoard callback.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dnnlab.backend import keras


class DetailedView(keras.callbacks.Callback):
    """Every `every` steps: loss, accuracy, learning rate. Every epoch: a histogram of
    each hidden layer's activations on a fixed validation batch. (Keras' own callback
    already logs the epoch's learning rate, weights and graph.)"""

    def __init__(self, run_dir: Path, sample: np.ndarray, every: int):
        super().__init__()
        import tensorflow as tf

        self.tf, self.sample, self.every = tf, sample, every
        self.writer = tf.summary.create_file_writer(str(run_dir / "train"))
        self.last = 0

    def on_train_batch_end(self, batch, logs=None):
        # With several steps per execution this fires once per execution: log by the
        # optimizer's own step count, which is exact.
        step = int(self.model.optimizer.iterations)
        if step - self.last < self.every:
            return
        self.last = step
        with self.writer.as_default(step=step):
            for name, value in (logs or {}).items():
                self.tf.summary.scalar(f"batch_{name}", value)
            self.tf.summary.scalar("batch_learning_rate", self._lr())

    def on_epoch_end(self, epoch, logs=None):
        from dnnlab.probe import hidden_outputs

        outputs = hidden_outputs(self.model, self.sample)
        with self.writer.as_default(step=epoch):
            for i, out in enumerate(outputs, start=1):
                self.tf.summary.histogram(f"activations/act_{i}", out)
        self.writer.flush()

    def _lr(self) -> float:
        return float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))


def write_hparams(run_dir: Path, values: dict, trial_id: str) -> None:
    """A run's hyperparameters, for TensorBoard's HParams dashboard; its metrics are
    the epoch scalars that Keras' callback writes under run_dir/train, /validation."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api

    with tf.summary.create_file_writer(str(run_dir)).as_default():
        api.hparams(values, trial_id=trial_id)
