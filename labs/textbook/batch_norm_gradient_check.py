import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # this repository's dnnlab

import time

from dnnlab import Claim, Config, Lab, Prediction, above, below, column, msg, num
from dnnlab import scratch as s

import numpy as np

EPS = 1e-6  # the book's batch norm ε (10e-7)
base = Config(
    name="batch_norm_gradient_check",
    hidden_units=(100, 100),
    activation="relu",
    initializer="he",
    batch_norm="before",
    bn_epsilon=EPS,
    steps=1,  # no training: one gradient
    validation_split=0,
    checkpoint=False,
    tensorboard=False,
)
variants = {
    "one_image": base.replace(batch_size=1),  # the book's x_train[:1]
    "batch_100": base.replace(batch_size=100),
}


def init(rng, sizes=(784, 100, 100, 10)) -> dict:
    """He weights (the book's weight_init_std='relu'), zero biases, γ 1, β 0."""
    p = {}
    for k, (n, m) in enumerate(zip(sizes, sizes[1:], strict=False), 1):
        p[f"W{k}"] = np.sqrt(2 / n) * rng.standard_normal((n, m))
        p[f"b{k}"] = np.zeros(m)
        if k < len(sizes) - 1:
            p[f"gamma{k}"], p[f"beta{k}"] = np.ones(m), np.zeros(m)
    return p


def forward(p, x):
    """(affine → batch norm → ReLU) × 2 → affine: (the scores, each block's caches,
    the last affine's cache)."""
    caches, a = [], x
    for k in (1, 2):
        h, c1 = s.affine_forward(a, p[f"W{k}"], p[f"b{k}"])
        h, c2 = s.batchnorm_forward(h, p[f"gamma{k}"], p[f"beta{k}"], EPS)
        a, c3 = s.relu_forward(h)
        caches.append((c1, c2, c3))
    scores, c_out = s.affine_forward(a, p["W3"], p["b3"])
    return scores, caches, c_out


def cost(p, x, t) -> float:
    """The softmax cross-entropy of forward's scores: what central differences
    perturb (no backward pass needed)."""
    return s.softmax_cross_entropy(forward(p, x)[0], t)[0]


def loss(p, x, t):
    """(cost, grads): forward, softmax cross-entropy, then back-propagation
    through the same layers in reverse."""
    scores, caches, c_out = forward(p, x)
    cost, d = s.softmax_cross_entropy(scores, t)
    grads = {}
    d, grads["W3"], grads["b3"] = s.affine_backward(d, c_out)
    for k, (c1, c2, c3) in zip((2, 1), reversed(caches), strict=True):
        d = s.relu_backward(d, c3)
        d, grads[f"gamma{k}"], grads[f"beta{k}"] = s.batchnorm_backward(d, c2)
        d, grads[f"W{k}"], grads[f"b{k}"] = s.affine_backward(d, c1)
    return cost, grads


def autodiff(p, x, t) -> dict:
    """The same cost's gradient by the backend's automatic differentiation."""
    from dnnlab.backend import keras

    ops = keras.ops

    def value(q):
        a = x
        for k in (1, 2):
            h = ops.matmul(a, q[f"W{k}"]) + q[f"b{k}"]
            # sums, not ops.mean and ops.var: Keras computes those in float32 on JAX
            mean = ops.sum(h, axis=0) / len(x)
            var = ops.sum((h - mean) ** 2, axis=0) / len(x)
            h = q[f"gamma{k}"] * (h - mean) / ops.sqrt(var + EPS) + q[f"beta{k}"]
            a = ops.relu(h)
        scores = ops.matmul(a, q["W3"]) + q["b3"]
        return -ops.sum(t * ops.log_softmax(scores)) / len(x)

    return s.autodiff(value, p)


def fit(name, config, data, run_dir):
    from dnnlab.data import one_hot
    from dnnlab.result import Result

    started = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    x = data.x_train[: config.batch_size].astype(np.float64)  # the first images
    t = one_hot(data.y_train[: config.batch_size]).astype(np.float64)
    p = init(rng)
    _, grads = loss(p, x, t)
    auto = autodiff(p, x, t)
    extras = {}
    for key, w in p.items():
        picked = rng.choice(w.size, min(1000, w.size), replace=False)
        at = [np.unravel_index(i, w.shape) for i in picked]
        numerical = s.numerical_gradient(lambda: cost(p, x, t), w, at=at)
        mine, numerical = grads[key].reshape(-1)[picked], numerical.reshape(-1)[picked]
        extras[f"numerical_{key}"] = s.rel_error(mine, numerical)
        extras[f"absolute_{key}"] = float(np.abs(mine - numerical).max())
        extras[f"mean_{key}"] = float(np.abs(mine - numerical).mean())  # the book's
        extras[f"autodiff_{key}"] = s.rel_error(grads[key], auto[key])
        extras[f"largest_{key}"] = float(np.abs(grads[key]).max())
    return Result.measured(config, run_dir, extras, time.perf_counter() - started)


def figure(results, path):
    """Per parameter, back-propagation's error against the other two and the
    largest gradient (log scale; seeds as points)."""
    from dnnlab import plots

    plt = plots.pyplot()
    fig, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4))
    floor = 1e-20  # where a zero is drawn on the log axis
    ways = (
        ("numerical_", msg("vs central differences ({measure})", measure="rel_error")),
        (
            "autodiff_",
            msg("vs automatic differentiation ({measure})", measure="rel_error"),
        ),
        ("largest_", msg("largest |gradient|")),
    )
    for ax, (name, seeds) in zip(np.atleast_1d(axes), results.items(), strict=True):
        keys = [k[len("numerical_") :] for k in seeds[0].extras if k.startswith("num")]
        for j, (prefix, what) in enumerate(ways):
            for k, r in enumerate(seeds):
                values = [max(r.extras[prefix + key], floor) for key in keys]
                look = {**plots.style(j), "ls": "none"}
                label = plots.words(what) if k == 0 else None
                ax.plot(range(len(keys)), values, **look, label=label)
        ax.set_xticks(range(len(keys)), keys, rotation=45, fontsize=8)
        title = msg("{name} (zeros drawn at {zero:g})", name=name, zero=floor)
        ax.set(yscale="log", title=plots.words(title))
        ax.legend(fontsize=7)
    fig.suptitle(plots.words(msg("the gradient of a batch-norm net, three ways")))
    fig.tight_layout()
    return plots.save(fig, path)


def worst(prefix, skip=()):
    """The largest of a kind of number over the parameters (but `skip`)."""
    return lambda r: max(
        v
        for k, v in r.extras.items()
        if k.startswith(prefix) and k[len(prefix) :] not in skip
    )


def zeros(r) -> float:
    """How many of the 10 parameters' gradients are all 0."""
    return sum(v == 0 for k, v in r.extras.items() if k.startswith("largest_"))


BEFORE_BN = ("b1", "b2")  # batch norm subtracts the mean: their gradient is 0


def before_bn(r) -> float:
    """The largest |gradient| of the biases batch norm follows."""
    return max(r.extras[f"largest_{b}"] for b in BEFORE_BN)


def claim(results) -> Claim:
    return Claim(
        "back-propagation through batch norm gives the gradient (central "
        "differences and automatic differentiation agree); a bias before batch "
        "norm has none; on the book's one image batch norm zeroes the gradients "
        "and puts β₂ on ReLU's kink",
        batch_checks(results["batch_100"]) + one_image_checks(results["one_image"]),
    )


def batch_checks(batch) -> list:
    return [
        # As in DNN_backprop: central differences are exact to f's rounding
        # over 2h (~1e-11 here), so the rel_error of MNIST's small gradients is
        # up to 1e-3 for that reason alone (printed, saved, not judged).
        below(
            "batch_100: back-propagation vs central differences, worst "
            "|difference| < 1e-9",
            batch.stat(worst("absolute_")),
            1e-9,
            num,
        ),
        below(
            "batch_100: back-propagation vs automatic differentiation, worst "
            "rel_error but b1, b2 < 1e-10",
            batch.stat(worst("autodiff_", BEFORE_BN)),
            1e-10,
            num,
        ),
        below(
            "batch_100: b1, b2 (before batch norm): largest |gradient| < 1e-12",
            batch.stat(before_bn),
            1e-12,
            num,
        ),
    ]


def one_image_checks(one) -> list:
    return [
        above(
            "one_image: parameters whose gradient is all 0, over half of 10",
            one.stat(zeros),
            5,
            num,
        ),
        below(
            "one_image: the book's mean |difference| but β₂ < 1e-7",
            one.stat(worst("mean_", ("beta2",))),
            1e-7,
            num,
        ),
        above(
            "one_image: β₂ = 0 sits on ReLU's kink, where central differences "
            "see half a slope and back-propagation 0: mean |difference| > 1e-3",
            one.stat(lambda r: r.extras["mean_beta2"]),
            1e-3,
            num,
        ),
    ]


LAB = Lab(
    title=("Back-propagation through batch norm, checked against numerical gradients"),
    book=(
        "Deep Learning from Scratch (Saito), §6.3, program "
        "ch06/batch_norm_gradient_check.py: MultiLayerNetExtend 784 → 100 → 100 → "
        "10 with batch norm before each ReLU (He initial weights, γ = 1, β = 0, ε "
        "1e-6), the gradient of the softmax cross-entropy of the first training "
        "image by back-propagation and by numerical differentiation; it prints "
        "each parameter's mean |difference| (tiny: the backward is right)."
    ),
    description=(
        "the same net from dnnlab/scratch.py's layers (affine, batch norm, ReLU, "
        "softmax cross-entropy), float64, with central differences (h = 1e-5; "
        "every element, or 1,000 drawn at random from a tensor larger than that) "
        "and automatic differentiation (GradientTape; jax.grad on JAX). On the "
        "book's one image batch norm normalizes a batch of one: x − μ is 0, so "
        "batch norm outputs β = 0, every gradient but the last layer's bias is 0 "
        "and the check checks almost nothing; the second ReLU then sits at 0, its "
        "kink, where central differences average the two slopes. The variant "
        "batch_100 (ours) checks the first 100 images. The table's columns: the "
        "worst |difference| against central differences and rel_error against "
        "automatic differentiation over all parameters, the book's mean "
        "|difference|."
    ),
    usage="python labs/textbook/batch_norm_gradient_check.py [--seeds 3]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "Back-propagation through batch norm by hand, against central "
            "differences and automatic differentiation: do they agree, does a bias "
            "just before batch norm get no gradient, and on the book's single image"
            " are the gradients mostly 0?"
        ),
        (
            "yes, all three",
            "not all three",
        ),
        holds="yes, all three",
        fails="not all three",
    ),
    fit=fit,
    uses={"batch_size": "how many of MNIST's first training images are checked"},
    columns={
        "vs central differences": column(worst("absolute_"), ".1e"),
        "vs autodiff": column(worst("autodiff_"), ".1e"),
        "mean |difference|": column(worst("mean_"), ".1e"),
        "gradients all 0": column(zeros, ".3g"),
    },
    figures={"gradient_check.png": figure},
    quick=("--batch-size", "20"),  # 20 images checked
)


if __name__ == "__main__":
    LAB.run()
