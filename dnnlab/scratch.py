"""From scratch: the lecture's mechanism in NumPy, one short function per formula.

Each layer is a forward/backward pair in the slides' notation: forward(x, …) returns
the output and a cache of what backward needs; backward(dout, cache) returns the
gradient of the cost with respect to each input, dout being the cost's gradient with
respect to the output (back-propagation is the chain rule, one layer at a time). Then
the numerical gradient that checks them, and every update rule of the optimizer
slide, each in Keras' own convention (so it can be checked against Keras; where the
textbook writes it differently the docstring says how).

Every body sits between `# solution` and `# end solution`: `make exercises`
(scripts/make_exercises.py) makes the exercises from this file, each body replaced
by its `# hint:` lines and `raise NotImplementedError` (keep names, signatures and
the lines outside the markers as they are: the checks call them so);
dnnlab/exercises.py checks a student's answers against this file, the solution.
Shapes: x is (N, D), a batch of N rows; W is (D, M); t is one-hot (N, C).
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------- layers


def affine_forward(x, W, b):
    """out = x·W + b (the slide's weighted sum)."""
    # solution
    # hint: x (N, D) · W (D, M) is (N, M); b (M,) is added to every row
    out = x @ W + b
    # end solution
    return out, (x, W)


def affine_backward(dout, cache):
    """(dx, dW, db): dx = dout·Wᵀ, dW = xᵀ·dout, db = Σ dout, Σ being the sum over
    the batch (axis 0)."""
    x, W = cache
    # solution
    # hint: each gradient has its variable's shape: dx (N, D), dW (D, M), db (M,)
    dx = dout @ W.T
    dW = x.T @ dout
    db = dout.sum(axis=0)
    # end solution
    return dx, dW, db


def relu_forward(x):
    """max(0, x)."""
    # solution
    # hint: np.maximum is elementwise
    out = np.maximum(0, x)
    # end solution
    return out, x


def relu_backward(dout, cache):
    """dx = dout·(x > 0): ReLU's derivative is 1 where x > 0, else 0; the cache is
    the forward's x."""
    x = cache
    # solution
    # hint: x > 0 is True or False, which multiply as 1 and 0
    dx = dout * (x > 0)
    # end solution
    return dx


def sigmoid_forward(x):
    """σ(x) = 1 / (1 + e⁻ˣ)."""
    # solution
    # hint: np.exp is elementwise
    out = 1 / (1 + np.exp(-x))
    # end solution
    return out, out


def sigmoid_backward(dout, cache):
    """dout · σ(x)(1 − σ(x)): at most ¼, which is why a deep sigmoid net's gradient
    vanishes toward the input."""
    y = cache
    # solution
    # hint: the cache is y = σ(x), the forward's output
    dx = dout * y * (1 - y)
    # end solution
    return dx


def softmax(x):
    """y = e^(x − max x) / Σⱼ e^(x − max x), max and Σⱼ taken over each row (axis 1,
    keepdims=True): the same value as yₖ = e^xₖ / Σⱼ e^xⱼ, without overflow."""
    # solution
    # hint: x.max(axis=1, keepdims=True) is (N, 1): it broadcasts over each row
    e = np.exp(x - x.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    # end solution
    return y


def softmax_cross_entropy(scores, t):
    """(cost, dscores), with max and Σⱼ over each row (axis 1, keepdims=True), Σ over
    all N·C numbers and N the batch's rows: s = scores − max scores, then
    log y = s − log Σⱼ e^s (never the log of a softmax that rounded to 0),
    E = −Σ(t·log y) / N (the slide's cost E), y = e^log y and
    dE/dscores = (y − t) / N."""
    n = len(scores)
    # solution
    # hint: shift by the row max; log_y = shifted − log Σ e^shifted; y = e^log_y
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    cost = -np.sum(t * log_y) / n
    dscores = (np.exp(log_y) - t) / n
    # end solution
    return cost, dscores


def mse(y, t):
    """(cost, dy): the slide's cost E = ½ Σ (y − t)² / N, Σ over all N·C numbers
    and N the batch's rows; dE/dy = (y − t) / N. (Keras' MeanSquaredError is the
    mean over all N·C numbers without the ½: 2/C times this.)"""
    n = len(y)
    # solution
    # hint: n is the number of rows; the ½ is the slide's
    cost = 0.5 * np.sum((y - t) ** 2) / n
    dy = (y - t) / n
    # end solution
    return cost, dy


def batchnorm_forward(x, gamma, beta, eps=1e-3):
    """Training mode: μ and σ² are each column's mean and variance over the batch
    (axis 0; σ² divides by N, as np.var), x̂ = (x − μ) / √(σ² + ε), then
    out = γ·x̂ + β. ε = 1e-3 as Keras'."""
    # solution
    # hint: axis=0 is over the batch, so μ and σ² are (D,); σ² as np.var (÷N)
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    out = gamma * xhat + beta
    # end solution
    return out, (xhat, gamma, var, eps)


def batchnorm_backward(dout, cache):
    """(dx, dγ, dβ), Σ being the sum over the batch (axis 0): dγ = Σ dout·x̂,
    dβ = Σ dout; dx carries the gradient through x̂ and through the batch's own mean
    and variance: dx̂ = dout·γ, dx = (1/N)(1/√(σ² + ε))(N·dx̂ − Σ dx̂ − x̂·Σ(dx̂·x̂))."""
    xhat, gamma, var, eps = cache
    n = len(dout)
    # solution
    # hint: sums over the batch are .sum(axis=0); dx has x's shape (N, D)
    dgamma = np.sum(dout * xhat, axis=0)
    dbeta = dout.sum(axis=0)
    dxhat = dout * gamma
    dx = (
        (n * dxhat - dxhat.sum(axis=0) - xhat * np.sum(dxhat * xhat, axis=0))
        / n
        / np.sqrt(var + eps)
    )
    # end solution
    return dx, dgamma, dbeta


def batchnorm_inference(x, gamma, beta, mean, var, eps=1e-3):
    """Inference mode: the moving mean and var instead of the batch's,
    out = γ·(x − mean) / √(var + ε) + β."""
    # solution
    # hint: x̂ as in training, with the given mean and var
    out = gamma * (x - mean) / np.sqrt(var + eps) + beta
    # end solution
    return out


def dropout_forward(x, p, mask):
    """Inverted dropout, as Keras: out = x·mask / (1 − p). In training each unit is
    kept where mask is True (drawn with probability 1 − p) and scaled by 1/(1 − p),
    so inference uses the net as it is. (The textbook scales at inference instead:
    × (1 − p) there.)"""
    # solution
    # hint: mask (N, D) is True or False, which multiply as 1 and 0
    out = x * mask / (1 - p)
    # end solution
    return out, (mask, p)


def dropout_backward(dout, cache):
    """dx = dout·mask / (1 − p): the gradient passes the kept units, scaled the
    same way."""
    mask, p = cache
    # solution
    # hint: a unit dropped in the forward gets no gradient
    dx = dout * mask / (1 - p)
    # end solution
    return dx


# ---------------------------------------------------------------- checking


def numerical_gradient(f, x, h=1e-5, at=None):
    """df/dx by central differences, one element of x at a time:
    grad[i] = (f₊ − f₋) / 2h, f₊ and f₋ being f() with x[i] + h and with x[i] − h.
    f takes no argument: it reads x, which this function changes in place, element
    by element, and puts back. `at`: a list of index tuples, only those elements
    (the rest of grad stays 0). In float64: in float32 the rounding of f swamps h."""
    grad = np.zeros_like(x, dtype=np.float64)
    # solution
    # hint: each index i (np.ndindex(x.shape), or those in at): f() with x[i] + h,
    # hint: f() with x[i] − h (f takes no argument), then put x[i] back
    for i in np.ndindex(x.shape) if at is None else at:
        keep = x[i]
        x[i] = keep + h
        up = f()
        x[i] = keep - h
        down = f()
        x[i] = keep
        grad[i] = (up - down) / (2 * h)
    # end solution
    return grad


def rel_error(a, b) -> float:
    """CS231n's check: max over elements of |a − b| / max(1e-8, |a| + |b|)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def autodiff(value, params: dict) -> dict:
    """The gradient of value(params), a function written in keras.ops, by the
    backend's automatic differentiation in float64: GradientTape on TensorFlow,
    jax.grad (with x64 on) on JAX. {name: array} in, {name: gradient} out."""
    from dnnlab.backend import keras

    if keras.backend.backend() == "jax":
        import jax
        import jax.numpy as jnp

        with jax.enable_x64(True):
            grads = jax.grad(value)({k: jnp.asarray(v) for k, v in params.items()})
            return {k: np.asarray(v) for k, v in grads.items()}
    import tensorflow as tf

    tensors = {k: tf.Variable(np.asarray(v, np.float64)) for k, v in params.items()}
    with tf.GradientTape() as tape:
        out = value(tensors)
    grads = tape.gradient(out, list(tensors.values()))
    return {k: np.asarray(g) for k, g in zip(tensors, grads, strict=True)}


def two_layer_ops(p: dict, x, t):
    """The two-layer net's cost (relu hidden layer, softmax cross-entropy, mean
    over the batch) in keras.ops, for autodiff: p as two_layer_init makes it."""
    from dnnlab.backend import keras

    ops = keras.ops
    h = ops.relu(ops.matmul(x, p["W1"]) + p["b1"])
    scores = ops.matmul(h, p["W2"]) + p["b2"]
    return -ops.sum(t * ops.log_softmax(scores)) / len(x)


def keras_path(optimizer, start, gradient, steps: int, dtype: str = "float64"):
    """A Keras optimizer's path from `start`, gradient(w) given in NumPy: steps + 1
    points (as float64) and its variable's dtype (float32 on JAX without x64), to
    hold an update rule against."""
    from dnnlab.backend import keras

    var = keras.Variable(np.asarray(start, dtype), dtype=dtype)
    path = [np.asarray(start, np.float64)]
    for _ in range(steps):
        g = gradient(keras.ops.convert_to_numpy(var).astype(np.float64))
        optimizer.apply([keras.ops.convert_to_tensor(g, var.dtype)], [var])
        path.append(keras.ops.convert_to_numpy(var).astype(np.float64))
    return np.array(path), str(keras.ops.convert_to_numpy(var).dtype)


# ---------------------------------------------------------------- update rules
# w: the weights, dw: the cost's gradient, lr: the learning rate η. Each returns
# the new weights and the rule's new state; nothing is changed in place.


def sgd(w, dw, lr):
    """Gradient descent: w ← w − η·dw."""
    # solution
    # hint: η is lr
    w = w - lr * dw
    # end solution
    return w


def momentum(w, dw, v, lr, mu=0.9):
    """Momentum: v ← μ·v − η·dw, then w ← w + v with the new v (as Keras and the
    textbook). The caller starts v at 0 and passes each step's v back in."""
    # solution
    # hint: the new v first, then w with it
    v = mu * v - lr * dw
    w = w + v
    # end solution
    return w, v


def nesterov(w, dw, v, lr, mu=0.9):
    """Nesterov, Keras' form: v ← μ·v − η·dw, w ← w + μ·v − η·dw (the step taken
    from where momentum carries w; the textbook writes the same rule as
    w ← w + μ²·v − (1 + μ)·η·dw with v updated after); w's step uses the new v.
    The caller starts v at 0 and passes each step's v back in."""
    # solution
    # hint: the new v first; then the step μ·v − η·dw with it
    v = mu * v - lr * dw
    w = w + mu * v - lr * dw
    # end solution
    return w, v


def adagrad(w, dw, h, lr, eps=1e-7):
    """AdaGrad, Keras' form: h ← h + dw², w ← w − η·dw / √(h + ε) with the new h.
    The caller starts h at 0.1 (Keras' initial_accumulator_value). The textbook's h
    begins at 0, its ε outside the root: η·dw / (√h + 1e-7)."""
    # solution
    # hint: ε inside the root, as Keras
    h = h + dw**2
    w = w - lr * dw / np.sqrt(h + eps)
    # end solution
    return w, h


def rmsprop(w, dw, s, lr, rho=0.9, eps=1e-7):
    """RMSProp, Keras' form: s ← ρ·s + (1 − ρ)·dw², w ← w − η·dw / √(s + ε) with
    the new s. The caller starts s at 0. The textbook: ρ = 0.99 and ε outside the
    root."""
    # solution
    # hint: ε inside the root, as Keras
    s = rho * s + (1 - rho) * dw**2
    w = w - lr * dw / np.sqrt(s + eps)
    # end solution
    return w, s


def adam(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-7):
    """Adam; the caller starts m and v at 0 and passes t, this step's number
    (t = 1, 2, …): m ← β₁·m + (1 − β₁)·dw,
    v ← β₂·v + (1 − β₂)·dw², α = η·√(1 − β₂ᵗ) / (1 − β₁ᵗ), w ← w − α·m / (√v + ε)
    (the bias correction folded into the rate, as Keras and the textbook; the
    paper's ε is 1e-8)."""
    # solution
    # hint: ε outside the root; t counts the steps from 1
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    alpha = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    w = w - alpha * m / (np.sqrt(v) + eps)
    # end solution
    return w, m, v


# ---------------------------------------------------------------- a two-layer net


def two_layer_init(rng, sizes=(784, 50, 10), std=0.01):
    """The textbook's TwoLayerNet: weights N(0, std²), biases 0, float64."""
    d, hidden, c = sizes
    return {
        "W1": std * rng.standard_normal((d, hidden)),
        "b1": np.zeros(hidden),
        "W2": std * rng.standard_normal((hidden, c)),
        "b2": np.zeros(c),
    }


def two_layer_loss(params, x, t):
    """(cost, grads) of affine → ReLU → affine → softmax cross-entropy: the forward
    pass, then back-propagation through the same layers in reverse. params and
    grads are dicts with the keys W1, b1, W2, b2; each gradient has its
    parameter's shape."""
    # solution
    # hint: affine, relu, affine, softmax_cross_entropy forward; then each
    # hint: backward in reverse order, with its own cache
    h, cache1 = affine_forward(x, params["W1"], params["b1"])
    a, cache_relu = relu_forward(h)
    scores, cache2 = affine_forward(a, params["W2"], params["b2"])
    cost, dscores = softmax_cross_entropy(scores, t)
    da, dW2, db2 = affine_backward(dscores, cache2)
    dh = relu_backward(da, cache_relu)
    _, dW1, db1 = affine_backward(dh, cache1)
    # end solution
    return cost, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
