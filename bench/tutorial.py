"""The TensorBoard tutorial's Keras program, on the five-layer lab's net: what
dnnlab.train() is timed against.

The same work as the lab's run: 784 → 5 × 256 ReLU (He init, dropout 0.2) → 10
softmax, Adam at 0.001 (Keras' defaults otherwise), batch 100, 3 epochs, the last
10 % of the training set for validation each epoch, TensorBoard with histograms
each epoch (TensorFlow's "Get started with TensorBoard"), then the test set once.
It reads MNIST as dnnlab does (a tutorial calls keras.datasets.mnist.load_data(),
which downloads). One JSON line of timings at the end (clock.py).

Run: python bench/tutorial.py   (KERAS_BACKEND=jax for JAX)
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402

from bench.clock import clock, report  # noqa: E402
from dnnlab.data import load_mnist, one_hot  # noqa: E402 (NumPy only, no Keras)

EPOCHS = 3

data = load_mnist()
(x, y), (x_val, y_val) = data.split(0.1)
with tempfile.TemporaryDirectory() as logs:
    start = time.perf_counter()
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((784,))])
    for _ in range(5):
        model.add(keras.layers.Dense(256, "relu", kernel_initializer="he_normal"))
        model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.Dense(10, "softmax"))
    model.compile(
        optimizer=keras.optimizers.Adam(0.001),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    timer = clock(keras)
    model.fit(
        x,
        one_hot(y),
        batch_size=100,
        epochs=EPOCHS,
        validation_data=(x_val, one_hot(y_val)),
        callbacks=[keras.callbacks.TensorBoard(logs, histogram_freq=1), timer],
        verbose=0,
    )
    _, accuracy = model.evaluate(data.x_test, one_hot(data.y_test), verbose=0)
    call = time.perf_counter() - start
report(timer, call, accuracy)
