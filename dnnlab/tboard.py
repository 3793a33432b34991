"""TensorBoard beyond the Keras callback: batch scalars, each layer's gradient, and
activation histograms.

It writes through tf.summary, like Keras' TensorBoard callback: TensorFlow must be
installed, whichever Keras backend trains (write_graph alone traces with TensorFlow).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dnnlab.backend import keras


class DetailedView(keras.callbacks.Callback):
    """Every `every` steps: loss, accuracy, learning rate, and the L2 norm of each
    Dense layer's kernel gradient (`gradient_norm/dense_1`, …, `…/output`, from step
    0, the initialization: the vanishing gradient as curves side by side). Every
    epoch: histograms of those gradients (`gradients/…`) and of each hidden layer's
    activations on a fixed validation batch. The gradient is the training one
    (dropout and batch norm in training mode) on a fixed batch of training images,
    without touching the training's state. (Keras' own callback logs the epoch's
    learning rate, weights and graph.)"""

    def __init__(self, run_dir: Path, sample: np.ndarray, batch: tuple, every: int):
        super().__init__()
        import tensorflow as tf

        self.tf, self.sample, self.batch, self.every = tf, sample, batch, every
        self.writer = tf.summary.create_file_writer(str(run_dir / "train"))
        self.last, self.kernel_gradients = 0, None

    def _gradients(self) -> dict[str, np.ndarray]:
        from dnnlab.probe import kernel_gradients

        model = self.model
        if self.kernel_gradients is None:
            dense = [la for la in model.layers if isinstance(la, keras.layers.Dense)]
            self.names = [layer.name for layer in dense]
            kernels = [layer.kernel for layer in dense]
            self.kernel_gradients = kernel_gradients(model, kernels)
        return dict(zip(self.names, self.kernel_gradients(*self.batch), strict=True))

    def on_train_begin(self, logs=None):  # step 0: the gradient at initialization
        if int(self.model.optimizer.iterations) == 0:
            self._norms(step=0)

    def _norms(self, step: int) -> None:
        with self.writer.as_default(step=step):
            for name, g in self._gradients().items():
                self.tf.summary.scalar(f"gradient_norm/{name}", np.linalg.norm(g))

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
        self._norms(step)

    def on_epoch_end(self, epoch, logs=None):
        from dnnlab.probe import hidden_outputs

        outputs = hidden_outputs(self.model, self.sample)
        with self.writer.as_default(step=epoch):
            for i, out in enumerate(outputs, start=1):
                self.tf.summary.histogram(f"activations/act_{i}", out)
            for name, g in self._gradients().items():
                self.tf.summary.histogram(f"gradients/{name}", g)
        self.writer.flush()

    def _lr(self) -> float:
        return float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))


def write_graph(model, loss, run_dir: Path) -> None:
    """The op graph of one training step (forward, loss, gradients, update), for
    TensorBoard's Graphs tab: Keras 3 writes only its conceptual graph, on which the
    tab opens with "Malformed GraphDef". Traced for display, never executed."""
    import tensorflow as tf

    variables = model.trainable_variables

    @tf.function
    def training_step(x, y):
        with tf.GradientTape() as tape:
            cost = loss(y, model(x, training=True))
        model.optimizer.apply(tape.gradient(cost, variables), variables)
        return cost

    spec = [tf.TensorSpec([None, 784], tf.float32), tf.TensorSpec([None, 10])]
    graph = training_step.get_concrete_function(*spec).graph
    with tf.summary.create_file_writer(str(run_dir / "train")).as_default():
        tf.summary.graph(graph)


def write_session(run_dir: Path, values: dict, trial_id: str, result=None) -> None:
    """One HParams session: the run's hyperparameters and, given a result, its final
    accuracies (the epoch curves are already in train/ and validation/)."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api

    shown = {
        k: v if isinstance(v, (bool, int, float, str)) else str(v)
        for k, v in values.items()
    }
    with tf.summary.create_file_writer(str(run_dir)).as_default():
        api.hparams(shown, trial_id=trial_id)
        for name in ("test_accuracy", "train_accuracy") if result else ():
            tf.summary.scalar(f"final/{name}", getattr(result, name), step=0)


def write_images(model, data, p: np.ndarray, run_dir: Path) -> list[Path]:
    """What the net learned and got wrong, as PNGs in run_dir and as image summaries:
    the test confusion matrix, the 16 most confidently misclassified test digits, and
    for softmax regression the 10 learned weight templates, under a run of their own,
    `test`. p: the net's outputs on the test set."""
    import tensorflow as tf

    from dnnlab import plots

    y, guess = data.y_test, p.argmax(axis=1)
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (y, guess), 1)
    wrong = np.flatnonzero(guess != y)
    worst = wrong[np.argsort(-p[wrong, guess[wrong]])][:16]
    drawn = [
        plots.confusion(
            matrix,
            run_dir / "confusion.png",
            f"test confusion matrix: {len(wrong)} errors in {len(y)}",
        ),
        plots.digits(
            data.x_test[worst],
            [f"{y[i]} → {guess[i]} ({p[i, guess[i]]:.0%})" for i in worst],
            run_dir / "misclassified.png",
            "the most confidently misclassified test digits (true → read as)",
        ),
    ]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) == 1:  # softmax regression: a 784 → 10 template per digit
        w = keras.ops.convert_to_numpy(dense[0].kernel).T
        drawn.append(
            plots.digits(
                w,
                [f"digit {d}" for d in range(10)],
                run_dir / "templates.png",
                "the learned weights of each digit (blue +, red −)",
            )
        )
    with tf.summary.create_file_writer(str(run_dir / "test")).as_default():
        for path in drawn:
            png = tf.image.decode_png(tf.io.read_file(str(path)), channels=4)
            tf.summary.image(path.stem, png[None], step=0)
    return drawn
