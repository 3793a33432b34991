"""dnnlab.scratch, the hand-written reference: every backward against central
differences (float64, CS231n's rel_error, h = 1e-5, a random upstream gradient,
shapes that are not square so a transposed matrix shows), the two-layer net against
automatic differentiation, and every update rule against Keras' optimizer."""

import numpy as np
import pytest

from dnnlab import scratch as s

rng = np.random.default_rng(0)
N, D, M = 4, 5, 3  # batch, inputs, outputs: all different


def numeric(f, inputs: dict, dout):
    """d Σ(f(**inputs)·dout) / d each input, by central differences."""
    return {
        name: s.numerical_gradient(lambda: np.sum(f(**inputs) * dout), x)
        for name, x in inputs.items()
    }


def check(analytic: dict, numerical: dict, tolerance: float) -> dict[str, float]:
    """The parameters whose gradients disagree, with their rel_error."""
    errors = {k: s.rel_error(analytic[k], numerical[k]) for k in numerical}
    return {k: e for k, e in errors.items() if not e <= tolerance}


def affine(x, W, b):
    return s.affine_forward(x, W, b)[0]


def batchnorm(x, gamma, beta):
    return s.batchnorm_forward(x, gamma, beta)[0]


CASES = {  # layer: (forward of named inputs, backward -> {name: gradient})
    "affine": (
        affine,
        lambda dout, inp: dict(
            zip("xWb", s.affine_backward(dout, s.affine_forward(**inp)[1]), strict=True)
        ),
        lambda: dict(
            x=rng.standard_normal((N, D)),
            W=rng.standard_normal((D, M)),
            b=rng.standard_normal(M),
        ),
    ),
    "relu": (
        lambda x: s.relu_forward(x)[0],
        lambda dout, inp: {"x": s.relu_backward(dout, s.relu_forward(**inp)[1])},
        # away from the kink at 0, where the derivative is not defined
        lambda: dict(x=rng.choice([-1, 1], (N, D)) * rng.uniform(0.1, 2, (N, D))),
    ),
    "sigmoid": (
        lambda x: s.sigmoid_forward(x)[0],
        lambda dout, inp: {"x": s.sigmoid_backward(dout, s.sigmoid_forward(**inp)[1])},
        lambda: dict(x=rng.standard_normal((N, D))),
    ),
    "batchnorm": (
        batchnorm,
        lambda dout, inp: dict(
            zip(
                ("x", "gamma", "beta"),
                s.batchnorm_backward(dout, s.batchnorm_forward(**inp)[1]),
                strict=True,
            )
        ),
        lambda: dict(
            x=3 * rng.standard_normal((N, D)) + 1,
            gamma=rng.standard_normal(D),
            beta=rng.standard_normal(D),
        ),
    ),
}


@pytest.mark.parametrize("layer", CASES)
def test_each_backward_agrees_with_central_differences(layer):
    forward, backward, inputs = CASES[layer]
    inp = inputs()
    out = forward(**inp)
    dout = rng.standard_normal(out.shape)
    assert not check(backward(dout, inp), numeric(forward, inp, dout), 1e-7)


def test_dropout_backward_with_its_mask_given():
    x, p = rng.standard_normal((N, D)), 0.4
    mask = rng.random((N, D)) > p
    dout = rng.standard_normal((N, D))
    out, cache = s.dropout_forward(x, p, mask)
    assert np.allclose(out[~mask], 0) and np.allclose(out[mask], x[mask] / 0.6)
    got = s.dropout_backward(dout, cache)
    want = s.numerical_gradient(
        lambda: np.sum(s.dropout_forward(x, p, mask)[0] * dout), x
    )
    assert s.rel_error(got, want) <= 1e-7


@pytest.mark.parametrize("cost", ["softmax_cross_entropy", "mse"])
def test_each_cost_gradient_agrees_with_central_differences(cost):
    scores = rng.standard_normal((N, M))
    t = np.eye(M)[rng.integers(0, M, N)]
    value, grad = getattr(s, cost)(scores, t)
    want = s.numerical_gradient(lambda: getattr(s, cost)(scores, t)[0], scores)
    assert s.rel_error(grad, want) <= 1e-7


def test_softmax_is_a_distribution_even_for_huge_scores():
    y = s.softmax(np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]]))
    assert np.allclose(y.sum(axis=1), 1) and np.isfinite(y).all()
    cost, _ = s.softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([[0, 1]]))
    assert cost == pytest.approx(1000.0)  # log softmax, not log 0


def net_case(seed=0, n=8):
    r = np.random.default_rng(seed)
    params = s.two_layer_init(r, sizes=(20, 7, 4), std=0.5)
    params = {k: v + 0.1 * r.standard_normal(v.shape) for k, v in params.items()}
    x, t = r.standard_normal((n, 20)), np.eye(4)[r.integers(0, 4, n)]
    return params, x, t


def net_errors(params, x, t) -> dict[str, float]:
    _, grads = s.two_layer_loss(params, x, t)
    numerical = {
        k: s.numerical_gradient(lambda: s.two_layer_loss(params, x, t)[0], v)
        for k, v in params.items()
    }
    return {k: s.rel_error(grads[k], numerical[k]) for k in params}


def test_back_propagation_of_the_two_layer_net_agrees_with_central_differences():
    errors = net_errors(*net_case())
    assert max(errors.values()) <= 1e-7, errors


def test_a_wrong_sign_in_one_backward_fails_the_check_naming_its_parameter(
    monkeypatch,
):
    right = s.affine_backward

    def wrong(dout, cache):  # dW with its sign flipped
        dx, dW, db = right(dout, cache)
        return dx, -dW, db

    monkeypatch.setattr(s, "affine_backward", wrong)
    errors = net_errors(*net_case())
    failed = {k for k, e in errors.items() if e > 1e-7}
    assert failed == {"W1", "W2"}, errors


def test_back_propagation_agrees_with_automatic_differentiation():
    from conftest import lab_module

    autodiff = lab_module("DNN_backprop")["autodiff"]  # GradientTape or jax.grad
    params, x, t = net_case(seed=1)
    _, grads = s.two_layer_loss(params, x, t)
    auto = autodiff(params, x, t)
    for k in params:
        assert s.rel_error(grads[k], auto[k]) <= 1e-10, k


def f32(value: float) -> float:
    return float(np.float32(value))


def bowl_gradient(w):
    """f(x, y) = x²/20 + y², the textbook's bowl."""
    return np.array([w[0] / 10, 2 * w[1]])


RULES = {  # name: (Keras optimizer, hand rule as a step on (w, state))
    "sgd": ("SGD", dict(learning_rate=0.9), lambda w, g, st, t: (s.sgd(w, g, 0.9), st)),
    "momentum": (
        "SGD",
        dict(learning_rate=0.1, momentum=0.9),
        lambda w, g, st, t: s.momentum(w, g, st[0], 0.1),
    ),
    "nesterov": (
        "SGD",
        dict(learning_rate=0.1, momentum=0.9, nesterov=True),
        lambda w, g, st, t: s.nesterov(w, g, st[0], 0.1),
    ),
    "adagrad": (
        "Adagrad",
        dict(learning_rate=1.5),
        lambda w, g, st, t: s.adagrad(w, g, st[0], 1.5),
    ),
    "rmsprop": (
        "RMSprop",
        dict(learning_rate=0.1),
        lambda w, g, st, t: s.rmsprop(w, g, st[0], 0.1),
    ),
    "adam": (  # hyperparameters exact in float32: see the test below
        "Adam",
        dict(learning_rate=0.25, beta_1=0.875, beta_2=1 - 2**-9, epsilon=2**-23),
        lambda w, g, st, t: (lambda r: (r[0], (r[1], r[2])))(
            s.adam(w, g, st[0], st[1], t, 0.25, 0.875, 1 - 2**-9, 2**-23)
        ),
    ),
}
START = {"adagrad": lambda: (np.full(2, 0.1),)}  # Keras' initial accumulator


@pytest.mark.parametrize("rule", RULES)
def test_each_update_rule_follows_keras_optimizer_on_the_bowl(rule):
    from dnnlab.backend import keras

    name, kwargs, step = RULES[rule]
    opt = getattr(keras.optimizers, name)(**kwargs)
    var = keras.Variable(np.array([-7.0, 2.0]), dtype="float64")
    w = np.array([-7.0, 2.0])
    state = START.get(rule, lambda: (np.zeros(2), np.zeros(2)))()
    for t in range(1, 31):
        g = bowl_gradient(keras.ops.convert_to_numpy(var))
        opt.apply([keras.ops.convert_to_tensor(g, "float64")], [var])
        w, state = step(w, bowl_gradient(w), state, t)
        state = state if isinstance(state, tuple) else (state,)
        held = keras.ops.convert_to_numpy(var)  # float32 on JAX without x64
        tolerance = 1e-6 if held.dtype == np.float64 else 1e-5
        assert np.abs(held - w).max() <= tolerance, (rule, t, held.dtype)
    assert np.linalg.norm(w) < np.linalg.norm([-7.0, 2.0])  # it went downhill


def test_keras_adam_rounds_its_betas_to_float32_in_the_bias_correction():
    """Why the Adam path above uses β's exact in float32: Keras converts β₁ and β₂
    to a float32 tensor before casting them to the weights' float64, in the bias
    correction only (its m and v use the exact 1 − β). At the defaults (0.9, 0.999)
    the first step on the bowl then differs from the formula by 2e-6; with β₂
    rounded to float32 in the correction alone it is the formula again."""
    from dnnlab.backend import keras

    if keras.backend.backend() == "jax":
        pytest.skip("JAX keeps float64 variables in float32 unless x64 is enabled")
    opt = keras.optimizers.Adam(learning_rate=0.25)
    var = keras.Variable(np.array([-7.0, 2.0]), dtype="float64")
    w = np.array([-7.0, 2.0])
    g = bowl_gradient(w)
    opt.apply([keras.ops.convert_to_tensor(g, "float64")], [var])
    got = keras.ops.convert_to_numpy(var)
    exact, *_ = s.adam(w, g, np.zeros(2), np.zeros(2), 1, 0.25)
    assert 1e-6 < np.abs(got - exact).max() < 1e-5
    m, v = 0.1 * g, (1 - 0.999) * g**2
    alpha = 0.25 * np.sqrt(1 - f32(0.999)) / (1 - f32(0.9))
    rounded = w - alpha * m / (np.sqrt(v) + 1e-7)
    assert np.abs(got - rounded).max() < 1e-9


def test_every_hand_written_body_is_marked_for_the_exercises():
    """Each function a student writes holds one `# solution` … `# end solution`
    block, which the exercises replace (rel_error, autodiff and two_layer_init are
    tools)."""
    import ast
    import inspect

    source = inspect.getsource(s)
    functions = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    tools = {"rel_error", "autodiff", "two_layer_init"}
    for fn in functions:
        body = ast.get_source_segment(source, fn)
        marks = (body.count("# solution\n"), body.count("# end solution\n"))
        assert marks == ((0, 0) if fn.name in tools else (1, 1)), fn.name
    assert len(functions) - len(tools) == 22
