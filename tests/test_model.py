import keras
import numpy as np
import pytest

from dnnlab import Config, build_model
from dnnlab.model import loss, optimizer


def dense(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


@pytest.mark.parametrize("depth", [0, 3, 5])
def test_one_dense_per_hidden_layer_plus_output(depth):
    model = build_model(Config(hidden_units=(32,) * depth))
    assert len(dense(model)) == depth + 1
    assert model.output_shape == (None, 10)
    assert model.input_shape == (None, 784)


def test_parameter_count_of_three_hidden_layers():
    # 784·256+256 + 2·(256·256+256) + 256·10+10
    assert build_model(Config(hidden_units=(256,) * 3)).count_params() == 335114


def test_softmax_regression_is_784_to_10():
    assert build_model(Config(hidden_units=())).count_params() == 7850


def test_outputs_are_probabilities():
    p = build_model(Config(hidden_units=(16,)))(
        np.random.rand(5, 784).astype("float32")
    )
    np.testing.assert_allclose(np.sum(p, axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    "placement, order",
    [
        ("off", ["dense_1", "act_1", "dropout_1", "dense_2", "act_2", "dropout_2"]),
        (
            "before",
            ["dense_1", "bn_1", "act_1", "dropout_1", "dense_2", "bn_2", "act_2"],
        ),
        (
            "after",
            ["dense_1", "act_1", "bn_1", "dropout_1", "dense_2", "act_2", "bn_2"],
        ),
    ],
)
def test_block_order(placement, order):
    model = build_model(Config(hidden_units=(8, 8), batch_norm=placement, dropout=0.5))
    names = [layer.name for layer in model.layers]
    assert names[: len(order)] == order
    assert names[-2:] == ["output", "softmax"]
    # A bias right before batch norm is redundant.
    assert model.get_layer("dense_1").use_bias == (placement != "before")


@pytest.mark.parametrize(
    "name, cls",
    [
        ("glorot_normal", keras.initializers.GlorotNormal),
        ("glorot_uniform", keras.initializers.GlorotUniform),
        ("he_normal", keras.initializers.HeNormal),
        ("he_uniform", keras.initializers.HeUniform),
        ("random_normal", keras.initializers.RandomNormal),
    ],
)
def test_initializer_on_every_kernel(name, cls):
    model = build_model(Config(hidden_units=(8, 8, 8), initializer=name))
    assert all(isinstance(d.kernel_initializer, cls) for d in dense(model))


def test_random_normal_uses_init_std():
    model = build_model(
        Config(hidden_units=(512,), initializer="random_normal", init_std=0.5)
    )
    std = float(np.std(keras.ops.convert_to_numpy(model.get_layer("dense_1").kernel)))
    assert std == pytest.approx(0.5, rel=0.02)


@pytest.mark.parametrize(
    "name, cls",
    [
        ("l1", keras.regularizers.L1),
        ("l2", keras.regularizers.L2),
        ("l1_l2", keras.regularizers.L1L2),
    ],
)
def test_regularizer_on_every_kernel(name, cls):
    model = build_model(Config(hidden_units=(8, 8), regularizer=name, reg_lambda=0.01))
    assert all(isinstance(d.kernel_regularizer, cls) for d in dense(model))
    assert len(model.losses) == 3  # one penalty per kernel


def test_l2_penalty_is_lambda_times_sum_of_squares():
    model = build_model(Config(hidden_units=(8,), regularizer="l2", reg_lambda=0.01))
    kernels = [keras.ops.convert_to_numpy(d.kernel) for d in dense(model)]
    expected = sum(0.01 * float(np.sum(k**2)) for k in kernels)
    assert float(
        sum(keras.ops.convert_to_numpy(x) for x in model.losses)
    ) == pytest.approx(expected, rel=1e-4)


def test_no_regularizer_no_penalty():
    assert build_model(Config(hidden_units=(8,))).losses == []


def test_activations():
    model = build_model(Config(hidden_units=(4,), activation="leaky_relu"))
    assert model.get_layer("act_1").negative_slope == pytest.approx(0.01)
    assert isinstance(
        build_model(Config(hidden_units=(4,), activation="prelu")).get_layer("act_1"),
        keras.layers.PReLU,
    )
    elu = build_model(Config(hidden_units=(4,), activation="elu")).get_layer("act_1")
    assert elu.activation.__name__ == "elu"


def test_optimizers():
    assert optimizer(Config(optimizer="momentum")).momentum == 0.9
    assert optimizer(Config(optimizer="nesterov")).nesterov
    assert optimizer(Config(optimizer="sgd")).momentum == 0.0
    assert isinstance(optimizer(Config(optimizer="rmsprop")), keras.optimizers.RMSprop)
    assert float(optimizer(Config(learning_rate=0.05)).learning_rate) == pytest.approx(
        0.05
    )


def test_cosine_schedule_decays_to_zero_over_the_run():
    opt = optimizer(Config(learning_rate=0.1, lr_schedule="cosine"), steps=100)
    schedule = opt._learning_rate
    assert float(schedule(0)) == pytest.approx(0.1)
    assert float(schedule(50)) == pytest.approx(0.05, rel=1e-3)
    assert float(schedule(100)) == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize("name, scale", [("xavier", 1.0), ("he", 2.0)])
def test_the_slides_xavier_and_he_are_plain_normals_of_std_sqrt_scale_over_n(
    name, scale
):
    model = build_model(Config(hidden_units=(400, 400), initializer=name))
    w = keras.ops.convert_to_numpy(model.get_layer("dense_2").kernel).ravel()
    assert np.std(w) == pytest.approx(np.sqrt(scale / 400), rel=0.02)
    # Untruncated: a normal puts about 0.27 % of its draws beyond 3 std.
    assert np.mean(np.abs(w) > 3 * np.sqrt(scale / 400)) > 0.001


def test_batch_norm_takes_its_momentum_and_epsilon():
    model = build_model(
        Config(hidden_units=(8,), batch_norm="before", bn_momentum=0.9, bn_epsilon=1e-6)
    )
    bn = model.get_layer("bn_1")
    assert (bn.momentum, bn.epsilon) == (0.9, 1e-6)


def test_a_grid_of_models_prints_two_and_names_what_the_rest_change():
    from dnnlab.model import describe

    grid = {
        f"w{i}": Config(init_std=10.0**-i, initializer="random_normal")
        for i in range(6)
    }
    text = describe(grid)
    assert text.count("Keras model of") == 2
    assert text.endswith("... and 4 more (w2 … w5), which differ in: init_std")
    few = describe({k: grid[k] for k in ("w0", "w1", "w2")})
    assert few.count("Keras model of") == 3


def test_max_norm_caps_each_units_incoming_weights(mnist):
    """Srivastava et al. 2014's constraint: after every update, no unit's incoming
    weight vector (a column of the kernel) is longer than max_norm."""
    import keras

    from dnnlab.data import one_hot
    from dnnlab.model import loss

    def column_norms(max_norm):
        keras.utils.set_random_seed(0)
        config = Config(hidden_units=(64,), max_norm=max_norm, learning_rate=0.05)
        model = build_model(config)
        model.compile(optimizer="sgd", loss=loss(config))
        x, t = mnist.x_train[:1000], one_hot(mnist.y_train[:1000])
        model.fit(x, t, batch_size=50, epochs=2, verbose=0)
        kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
        return np.concatenate(
            [np.linalg.norm(keras.ops.convert_to_numpy(k), axis=0) for k in kernels]
        )

    assert column_norms(0.0).max() > 0.9  # uncapped, some grow past the cap below
    assert column_norms(0.9).max() <= 0.9 + 1e-5


def test_input_dropout_comes_first():
    model = build_model(Config(hidden_units=(8,), input_dropout=0.2))
    assert [layer.name for layer in model.layers][:2] == ["dropout_0", "dense_1"]
    assert "dropout_0" not in [layer.name for layer in build_model(Config()).layers]


def test_standard_initializer_is_uniform_within_one_over_root_n():
    """Glorot & Bengio 2010, eq. 1: U[−1/√n, 1/√n], n the layer's fan-in."""
    model = build_model(Config(hidden_units=(400,), initializer="standard"))
    w = keras.ops.convert_to_numpy(dense(model)[0].kernel)
    bound = 1 / np.sqrt(784)
    assert np.abs(w).max() <= np.float32(bound)  # JAX draws up to the float32 bound
    assert np.abs(w).max() > 0.99 * bound  # it fills the interval
    assert np.std(w) == pytest.approx(bound / np.sqrt(3), rel=0.02)


def _adam_steps(opt, steps=5):
    """Weights after `steps` updates of opt on a fixed pair of variables."""
    rng = np.random.default_rng(0)
    shapes = (7, (3, 4))
    weights = [keras.Variable(rng.normal(size=s).astype("float32")) for s in shapes]
    opt.build(weights)
    for _ in range(steps):
        grads = [rng.normal(size=w.shape).astype("float32") for w in weights]
        opt.apply([keras.ops.convert_to_tensor(g) for g in grads], weights)
    return [keras.ops.convert_to_numpy(w) for w in weights]


def test_fused_adam_updates_as_keras_adam():
    from dnnlab.speedups import FusedAdam

    # A large epsilon makes its place (outside the square root) show in the numbers.
    args = dict(learning_rate=0.1, epsilon=0.5)
    fused = _adam_steps(FusedAdam(**args))
    keras_adam = _adam_steps(keras.optimizers.Adam(**args))
    for got, want in zip(fused, keras_adam, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert isinstance(optimizer(Config(optimizer="adam")), keras.optimizers.Adam)


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="TensorFlow's kernel"
)
def test_adam_is_one_fused_kernel_per_variable_on_tensorflow():
    import tensorflow as tf

    model = build_model(Config(hidden_units=(8,)))
    opt = optimizer(Config(optimizer="adam"))
    opt.build(model.trainable_variables)
    variables = model.trainable_variables
    grads = [tf.zeros_like(v) for v in variables]
    graph = tf.function(lambda: opt.apply(grads, variables)).get_concrete_function()
    ops = [op.type for op in graph.graph.get_operations()]
    assert ops.count("ResourceApplyAdam") == len(variables)


def every_architecture() -> dict:
    """Each distinct config of every lab (a grid's duplicates once)."""
    import runpy
    from pathlib import Path

    labs = Path(__file__).parent.parent / "labs"
    out = {}
    for path in sorted(labs.glob("**/*.py")):
        module = runpy.run_path(str(path))
        variants = module.get("variants") or {"net": module["config"]}
        for name, config in variants.items():
            out.setdefault(config.replace(name="x"), f"{path.stem}:{name}")
    return {v: k for k, v in out.items()}


def each_option() -> dict:
    """Small nets that between them use every choice of every string field: the
    i-th net takes each field's i-th choice (cycling), and the numeric options."""
    from dnnlab.config import CHOICES

    longest = max(len(values) for values in CHOICES.values())
    nets = {
        f"net {i}": Config(
            hidden_units=(8, 4),
            epochs=1,
            **{f: values[i % len(values)] for f, values in CHOICES.items()},
        )
        for i in range(longest)
    }
    base = Config(hidden_units=(8, 4), epochs=1)
    return nets | {
        "dropouts and max-norm": base.replace(
            dropout=0.5, input_dropout=0.2, max_norm=3.0
        ),
        "softmax regression": base.replace(hidden_units=()),
        "1/3 and 10.0": base.replace(initializer="standard", learning_rate=10.0),
    }


def test_the_printed_keras_code_builds_the_same_model():
    same_model(each_option())


@pytest.mark.slow
def test_the_printed_keras_code_of_every_lab_builds_its_model():
    same_model(every_architecture())


def same_model(configs: dict) -> None:
    """Each config's printed Keras code, run, builds dnnlab's model and compile."""
    from dnnlab.model import keras_code

    for name, config in configs.items():
        code = keras_code(config)
        space = {"keras": keras}
        exec(code, space)
        printed, ours = space["model"], build_model(config)
        for a, b in zip(printed.layers, ours.layers, strict=True):
            assert type(a) is type(b), (name, a, b)
            assert a.output.shape == b.output.shape, (name, a.name)
            assert a.count_params() == b.count_params(), (name, a.name)
            assert {k: v for k, v in a.get_config().items() if k != "name"} == {
                k: v for k, v in b.get_config().items() if k != "name"
            }, (name, a.name)
        got, want = printed.optimizer.get_config(), keras_optimizer(config).get_config()
        lr, want_lr = got.pop("learning_rate"), want.pop("learning_rate")
        assert {**got, "name": 0} == {**want, "name": 0}, name
        assert lr == (want_lr if isinstance(want_lr, dict) else pytest.approx(want_lr))
        assert type(printed.loss) is type(loss(config)), name


def keras_optimizer(config):
    from dnnlab.config import MNIST_TRAIN

    n = config.train_images(MNIST_TRAIN)
    return optimizer(config, config.steps or -(-n // config.batch_size) * config.epochs)
