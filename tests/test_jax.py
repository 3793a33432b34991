"""The JAX backend's compiled loop: run by `make test-jax` (KERAS_BACKEND=jax)."""

import numpy as np
import pytest

from dnnlab.backend import keras

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax", reason="the JAX backend only (make test-jax)"
)


def fit(mnist, scanned: bool):
    from dnnlab import Config
    from dnnlab.data import one_hot
    from dnnlab.model import build_model
    from dnnlab.speedups import scanned

    keras.utils.set_random_seed(4)
    model = build_model(Config(hidden_units=(32,), dropout=0.2, batch_norm="after"))
    model.compile(
        optimizer="adam",
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=4,
    )
    if scanned:
        model.train_function = scanned(model)
    # 1,050 images of 100: ten full batches and one of 50, in executions of 4, 4, 3.
    x, t = mnist.x_train[:1050], one_hot(mnist.y_train[:1050])
    history = model.fit(x, t, batch_size=100, epochs=2, verbose=0, shuffle=False)
    return history.history, model


def test_scanned_steps_are_keras_steps(mnist):
    """lax.scan over each execution's steps (padded, the short batch apart) trains
    exactly as Keras' own loop of compiled steps: same losses, same weights."""
    want, plain = fit(mnist, scanned=False)
    got, scanned = fit(mnist, scanned=True)
    assert int(scanned.optimizer.iterations) == int(plain.optimizer.iterations) == 22
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5)
    for a, b in zip(scanned.weights, plain.weights, strict=True):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b), atol=1e-5
        )


def test_train_uses_the_scanned_loop(mnist, tmp_path):
    from dnnlab import Config, train

    config = Config(hidden_units=(16,), epochs=1, limit=600, tensorboard=False)
    result = train(config.replace(log_dir=str(tmp_path)), mnist, verbose=0)
    assert result.model.train_function.__qualname__.startswith("scanned")
    assert result.trace[-1][0] == 6  # 600 images of 100 → 6 steps in one execution
