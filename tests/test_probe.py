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
