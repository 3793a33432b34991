import numpy as np
import pytest

from dnnlab import Config, build_model
from dnnlab.probe import activations, dead_units, gradient_norms

DEEP = Config(hidden_units=(128,) * 5, seed=4)


def test_sigmoid_gradient_vanishes_toward_the_input_relu_does_not(mnist):
    sigmoid = gradient_norms(DEEP.replace(activation="sigmoid"), mnist, batches=3)
    relu = gradient_norms(
        DEEP.replace(activation="relu", initializer="he_normal"), mnist, batches=3
    )
    assert len(sigmoid) == 6  # five hidden kernels and the output
    assert sigmoid[0] < sigmoid[4] / 10
    assert relu[0] > relu[4] / 3


def test_activations_at_initialization_follow_the_initializer():
    x = np.random.default_rng(0).random((200, 784), dtype=np.float32)
    small = activations(DEEP.replace(initializer="random_normal", init_std=0.01), x)
    he = activations(DEEP.replace(initializer="he_normal"), x)
    assert len(small) == 5
    assert small[-1].std() < small[0].std() / 1000  # the signal dies out
    assert 0.3 < he[-1].std() / he[0].std() < 3  # He keeps ReLU's spread


@pytest.mark.parametrize("activation, dead", [("relu", 1.0), ("leaky_relu", 0.0)])
def test_dead_units_pass_no_gradient(activation, dead):
    model = build_model(Config(hidden_units=(10,), activation=activation))
    x = np.random.default_rng(0).random((50, 784), dtype=np.float32)
    assert dead_units(model, x) < 0.5
    model.get_layer("dense_1").bias.assign(np.full(10, -100.0, dtype="float32"))
    # Every unit now sees only negative inputs: a ReLU is stuck at 0, a Leaky ReLU
    # still answers 0.01·x and keeps learning.
    assert dead_units(model, x) == dead


def test_image_gradients_are_each_images_own_bias_gradient(mnist):
    """One backward pass for a batch gives what one pass per image gives."""
    from dnnlab.data import one_hot
    from dnnlab.model import loss
    from dnnlab.probe import gradients, image_gradients, initial_model

    config = Config(hidden_units=(32, 16), activation="tanh")
    model = initial_model(config)
    x, t = mnist.x_test[:8], one_hot(mnist.y_test[:8])
    biases = [layer.bias for layer in model.layers if layer.name.startswith("dense_")]
    per_image = image_gradients(model, loss(config), x, t)
    assert [g.shape for g in per_image] == [(8, 32), (8, 16)]
    for i in range(len(x)):
        alone = gradients(model, loss(config), x[i : i + 1], t[i : i + 1], biases)
        for g, a in zip(per_image, alone, strict=True):
            np.testing.assert_allclose(g[i], a, rtol=1e-4, atol=1e-7)
    with pytest.raises(ValueError, match="batch norm"):
        image_gradients(
            build_model(config.replace(batch_norm="after")), loss(config), x, t
        )
