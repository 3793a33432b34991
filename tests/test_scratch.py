"""dnnlab.scratch, the hand-written reference, beyond what the exercises' checks
(dnnlab/exercises.py) hold every function to: tests/test_exercises.py runs
verify_all on it, against central differences, Keras and the backend's autodiff.
Here: softmax on huge scores, Keras Adam's float32 β's, and the marks the exercises
cut the solutions at."""

import numpy as np
import pytest

from dnnlab import scratch as s


def f32(value: float) -> float:
    return float(np.float32(value))


def bowl_gradient(w):
    """f(x, y) = x²/20 + y², the textbook's bowl."""
    return np.array([w[0] / 10, 2 * w[1]])


def test_softmax_is_a_distribution_even_for_huge_scores():
    y = s.softmax(np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]]))
    assert np.allclose(y.sum(axis=1), 1) and np.isfinite(y).all()
    cost, _ = s.softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([[0, 1]]))
    assert cost == pytest.approx(1000.0)  # log softmax, not log 0


def test_keras_adam_rounds_its_betas_to_float32_in_the_bias_correction():
    """Why the bowl's hand-written Adam (labs/DNN_gradient_descent.py) rounds β's
    to float32: Keras converts β₁ and β₂ to a float32 tensor before casting them to
    the weights' float64, in the bias correction only (its m and v use the exact
    1 − β). At the defaults (0.9, 0.999) the first step on the bowl then differs
    from the formula by 2e-6; with β₂ rounded to float32 in the correction alone it
    is the formula again."""
    from dnnlab.backend import keras

    if keras.backend.backend() == "jax":
        pytest.skip("JAX keeps float64 variables in float32 unless x64 is enabled")
    w = np.array([-7.0, 2.0])
    g = bowl_gradient(w)
    path, _ = s.keras_path(keras.optimizers.Adam(0.25), w, bowl_gradient, 1)
    got = path[1]
    exact, *_ = s.adam(w, g, np.zeros(2), np.zeros(2), 1, 0.25)
    assert 1e-6 < np.abs(got - exact).max() < 1e-5
    m, v = 0.1 * g, (1 - 0.999) * g**2
    alpha = 0.25 * np.sqrt(1 - f32(0.999)) / (1 - f32(0.9))
    rounded = w - alpha * m / (np.sqrt(v) + 1e-7)
    assert np.abs(got - rounded).max() < 1e-9


def test_every_hand_written_body_is_marked_for_the_exercises():
    """Each function a student writes holds one `# solution` … `# end solution`
    block, which the exercises replace (rel_error, autodiff, two_layer_init,
    two_layer_ops and keras_path are tools)."""
    import ast
    import inspect

    source = inspect.getsource(s)
    functions = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    tools = {"rel_error", "autodiff", "two_layer_init", "two_layer_ops", "keras_path"}
    for fn in functions:
        body = ast.get_source_segment(source, fn)
        marks = (body.count("# solution\n"), body.count("# end solution\n"))
        assert marks == ((0, 0) if fn.name in tools else (1, 1)), fn.name
    assert len(functions) - len(tools) == 22
