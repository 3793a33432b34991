import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

import time

from dnnlab import Claim, Config, Lab, Prediction, above, below, column, msg, num
from dnnlab import scratch as s

import numpy as np

N_TRAIN = 60_000  # the slide's n in λ/2n: MNIST's training images
base = Config(
    name="DNN_formulas",
    steps=1,  # nothing trains: one evaluation per formula
    validation_split=0,
    checkpoint=False,
    tensorboard=False,
)
FORMULAS = {  # variant: (the slide's formula, the Keras call, the convention)
    "mse": (
        "½ Σₖ (yₖ − tₖ)², mean over the batch",
        "keras.losses.MeanSquaredError()",
        "Keras: a mean over the K outputs, no ½ (slide = Keras · K/2)",
    ),
    "cross_entropy": (
        "−Σₖ tₖ log yₖ, mean over the batch",
        "keras.losses.CategoricalCrossentropy()",
        "Keras clips y to [1e-7, 1 − 1e-7]",
    ),
    "softmax": ("e^zₖ / Σⱼ e^zⱼ", "keras.activations.softmax", "–"),
    "sigmoid": ("1 / (1 + e⁻ˣ)", "keras.activations.sigmoid", "–"),
    "tanh": ("(eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)", "keras.activations.tanh", "–"),
    "relu": ("max(0, x)", "keras.activations.relu", "–"),
    "leaky_relu": (
        "max(0.01x, x)",
        "keras.layers.LeakyReLU(negative_slope=0.01)",
        "Keras' default slope 0.3; the slope held in float32",
    ),
    "prelu": (
        "max(αx, x), α learned",
        "keras.layers.PReLU()",
        "Keras starts α at 0 (a ReLU), He et al. at 0.25",
    ),
    "elu": ("x if x > 0 else eˣ − 1", "keras.activations.elu", "–"),
    "l2": (
        "C₀ + λ/2n Σw²",
        "keras.regularizers.L2(l2)",
        "Keras' l2 is the slide's λ/2n",
    ),
    "l1": (
        "C₀ + λ/n Σ|w|",
        "keras.regularizers.L1(l1)",
        "Keras' l1 is the slide's λ/n",
    ),
    "batch_norm_training": (
        "γ (x − μ_B) / √(σ²_B + ε) + β",
        "keras.layers.BatchNormalization()(x, training=True)",
        "ε 1e-3; σ²_B divided by N, not N − 1",
    ),
    "batch_norm_inference": (
        "the same with moving averages",
        "keras.layers.BatchNormalization()(x, training=False)",
        "momentum 0.99 weighs the old average (PyTorch's the new)",
    ),
    "dropout": (
        "x · mask / (1 − p) in training",
        "keras.layers.Dropout(p)",
        "inverted; the textbook scales by 1 − p at inference",
    ),
}
variants = dict.fromkeys(FORMULAS, base)


def compute(name, rng, keras):
    """(the slide's value with the convention applied, Keras' value, the value
    without it (the formula as written, Keras' default, the other library's or
    book's reading), or None where there is no convention), float64."""
    d = dict(
        x=rng.uniform(-3, 3, (8, 6)),
        z=rng.normal(0, 2, (8, 10)),
        t=np.eye(10)[rng.integers(0, 10, 8)],
    )
    d.update(y=s.softmax(d["z"]), w=rng.normal(0, 0.1, (6, 4)), lam=0.1, p=0.5)
    for part in (costs, activations, regularizers, layers):
        values = part(name, d, rng, keras)
        if values is not None:
            return values
    raise KeyError(name)


def f64(layer_or_loss):
    return layer_or_loss(dtype="float64")


def costs(name, d, rng, keras):
    y, t, z = d["y"], d["t"], d["z"]
    if name == "mse":
        slide, _ = s.mse(y, t)
        return slide * 2 / 10, f64(keras.losses.MeanSquaredError)(t, y), slide
    if name == "cross_entropy":
        slide, _ = s.softmax_cross_entropy(z, t)
        return slide, f64(keras.losses.CategoricalCrossentropy)(t, y), None
    if name == "softmax":
        return y, keras.activations.softmax(keras.ops.convert_to_tensor(z)), None
    return None


def activations(name, d, rng, keras):
    x = d["x"]
    if name in ("sigmoid", "tanh", "relu", "elu"):
        slide = {
            "sigmoid": lambda: s.sigmoid_forward(x)[0],
            "tanh": lambda: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
            "relu": lambda: s.relu_forward(x)[0],
            "elu": lambda: np.where(x > 0, x, np.exp(x) - 1),
        }[name]()
        tensor = keras.ops.convert_to_tensor(x)
        return slide, getattr(keras.activations, name)(tensor), None
    if name == "leaky_relu":  # Keras holds the slope in float32
        slide = np.maximum(float(np.float32(0.01)) * x, x)
        keras_default = keras.layers.LeakyReLU(dtype="float64")(x)
        return slide, keras.layers.LeakyReLU(0.01, dtype="float64")(x), keras_default
    if name == "prelu":
        alpha = keras.initializers.Constant(0.25)
        layer = keras.layers.PReLU(alpha_initializer=alpha, dtype="float64")
        as_built = keras.layers.PReLU(dtype="float64")(x)  # α = 0
        return np.maximum(0.25 * x, x), layer(x), as_built
    return None


def regularizers(name, d, rng, keras):
    w, lam, n = d["w"], d["lam"], N_TRAIN
    if name == "l2":
        slide, keras_value = (
            lam / (2 * n) * np.sum(w**2),
            keras.regularizers.L2(lam / (2 * n))(w),
        )
        return slide, keras_value, keras.regularizers.L2(lam)(w)
    if name == "l1":
        slide = lam / n * np.sum(np.abs(w))
        return slide, keras.regularizers.L1(lam / n)(w), keras.regularizers.L1(lam)(w)
    return None


def layers(name, d, rng, keras):
    x, p = d["x"], d["p"]
    if name.startswith("batch_norm"):
        gamma, beta = rng.uniform(0.5, 2, 6), rng.normal(0, 1, 6)
        layer = keras.layers.BatchNormalization(
            gamma_initializer=keras.initializers.Constant(gamma),
            beta_initializer=keras.initializers.Constant(beta),
            dtype="float64",
        )
        trained = layer(x, training=True)
        if name == "batch_norm_training":
            return s.batchnorm_forward(x, gamma, beta)[0], trained, None
        m = 0.99
        mean, var = 0.01 * x.mean(axis=0), m * 1.0 + 0.01 * x.var(axis=0)
        slide = s.batchnorm_inference(x, gamma, beta, mean, var)
        pytorch = s.batchnorm_inference(  # momentum the new batch's weight, ddof 1
            x, gamma, beta, 0.99 * x.mean(axis=0), 0.01 + 0.99 * x.var(axis=0, ddof=1)
        )
        return slide, layer(x, training=False), pytorch
    if name == "dropout":
        layer = keras.layers.Dropout(
            p, seed=int(rng.integers(1 << 30)), dtype="float64"
        )
        out = keras.ops.convert_to_numpy(layer(x, training=True))
        mask = out != 0  # the units Keras kept
        textbook_train = x * mask  # the book scales at inference, × (1 − p)
        return s.dropout_forward(x, p, mask)[0], out, textbook_train
    return None


def fit(name, config, data, run_dir):
    from dnnlab.backend import keras
    from dnnlab.result import Result

    started = time.perf_counter()
    rng = np.random.default_rng([config.seed, list(FORMULAS).index(name)])
    slide, keras_value, other = compute(name, rng, keras)
    keras_value = keras.ops.convert_to_numpy(keras_value)
    slide = np.asarray(slide, dtype=np.float64)
    written, call, convention = FORMULAS[name]
    if config.seed == base.seed:  # the whole row once, as the table has no room
        print(f"  {written}  vs  {call}; {convention}", flush=True)

    def gap(a):
        return float(np.abs(np.asarray(a, np.float64) - keras_value).max())

    extras = {
        "difference": gap(slide),
        "dtype": str(keras_value.dtype),
        "formula": written,
        "keras": call,
        "convention": convention,
    }
    if other is not None:  # the other side of the convention
        extras["other"] = gap(keras.ops.convert_to_numpy(other))
    if name == "cross_entropy":
        worst = np.array([[1e-10, 1 - 1e-10]])  # the right class given 1e-10
        extras["clipped"] = float(
            keras.losses.CategoricalCrossentropy(dtype="float64")(
                np.array([[1.0, 0.0]]), worst
            )
        )
    return Result.measured(config, run_dir, extras, time.perf_counter() - started)


def claim(results) -> Claim:
    clipped = results["cross_entropy"].stat(lambda r: r.extras["clipped"])
    float64 = all(r.extras["dtype"] == "float64" for v in results.values() for r in v)
    tolerance = 1e-12 if float64 else 1e-6  # JAX holds float64 as float32
    seeds = range(min(map(len, results.values())))
    worst = [max(v[k].extras["difference"] for v in results.values()) for k in seeds]
    conventions = [v for v in results.values() if "other" in v[0].extras]
    smallest = [min(v[k].extras["other"] for v in conventions) for k in seeds]
    return Claim(
        "every formula on the slides is what Keras computes once its convention is "
        "named; each named convention changes the number",
        [
            below(
                msg(
                    "worst |slide − Keras| over the {n} formulas < {tolerance:g}",
                    n=len(results),
                    tolerance=tolerance,
                ),
                worst,
                tolerance,
                num,
            ),
            above(
                "without its convention each differs (½Σ for the mean, Keras' "
                "LeakyReLU and PReLU defaults, λ for λ/2n, momentum read the "
                "PyTorch way, the book's dropout): smallest difference > 1e-6",
                smallest,
                1e-6,
                num,
            ),
            below(
                "cross-entropy when the right class gets 1e-10: Keras' clip at 1e-7 "
                "keeps it near −log 1e-7 = 16.1 (−log 1e-10 = 23.0): < 17",
                clipped,
                17,
                num,
            ),
        ],
    )


def text(key):
    return lambda seeds: seeds[0].extras[key]


LAB = Lab(
    title=("The slides' formulas against what Keras computes, every convention named"),
    slide=(
        '"Deep Neural Network - Cost Function", "Softmax", "Activation Function", '
        '"Weight Decay", "Batch Normalization", "Dropout"'
    ),
    description=(
        "each formula as the slide writes it, in NumPy (dnnlab/scratch.py where "
        "it has the piece), beside the Keras call a student writes, on the same "
        "float64 input (small random arrays, new for each seed). Where the two "
        "differ by a convention (a mean for a sum, λ for λ/2n, which side of "
        "dropout scales), the table names it and gives both differences: as "
        "written, and after the convention. Its claim: every formula is what "
        "Keras computes once its convention is named."
    ),
    usage="python labs/DNN_formulas.py [--variants mse,l2]",
    variants=variants,
    claim=claim,
    prediction=Prediction(
        (
            "Is each formula on the slides what Keras computes, once its convention"
            " (a ½, a mean, an ε, a clip) is named, and does leaving a convention "
            "out change the number?"
        ),
        (
            "yes, both",
            "not both",
        ),
        holds="yes, both",
        fails="not both",
    ),
    fit=fit,
    mnist=False,  # formulas on random numbers
    columns={
        "formula": text("formula"),
        "|slide − Keras|": column("difference", ".1e"),
        "without the convention": lambda seeds: (
            column("other", ".1e")(seeds) if "other" in seeds[0].extras else "–"
        ),
        "convention": text("convention"),
    },
)


if __name__ == "__main__":
    LAB.run()
