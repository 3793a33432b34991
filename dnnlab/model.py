"""Config -> Keras model: the one place where config strings become Keras objects."""

from __future__ import annotations

import dataclasses

from dnnlab.backend import keras
from dnnlab.config import Config
from dnnlab.speedups import FusedAdam

N_INPUTS, N_CLASSES = 784, 10


def build_model(config: Config) -> keras.Model:
    """784 inputs [Dropout]; Dense → [BN] → activation → [Dropout] per hidden layer;
    softmax."""
    layers = [keras.Input((N_INPUTS,), name="image")]
    if config.input_dropout:
        layers.append(keras.layers.Dropout(config.input_dropout, name="dropout_0"))
    for i, units in enumerate(config.hidden_units, start=1):
        bn = config.batch_norm
        # A bias in front of batch norm is cancelled by its mean; BN's beta replaces it.
        layers.append(_dense(config, units, f"dense_{i}", use_bias=bn != "before"))
        if bn == "before":
            layers.append(_batch_norm(config, f"bn_{i}"))
        layers.append(activation(config.activation, f"act_{i}"))
        if bn == "after":
            layers.append(_batch_norm(config, f"bn_{i}"))
        if config.dropout:
            layers.append(keras.layers.Dropout(config.dropout, name=f"dropout_{i}"))
    layers.append(_dense(config, N_CLASSES, "output", use_bias=True))
    # Softmax in float32 even under mixed precision: its outputs are the probabilities.
    layers.append(keras.layers.Activation("softmax", dtype="float32", name="softmax"))
    return keras.Sequential(layers, name=config.name)


def activation(name: str, layer_name: str) -> keras.layers.Layer:
    if name == "leaky_relu":
        return keras.layers.LeakyReLU(
            negative_slope=0.01, name=layer_name
        )  # the slide's 0.01
    if name == "prelu":
        return keras.layers.PReLU(name=layer_name)  # the slope a is learned, per unit
    return keras.layers.Activation(name, name=layer_name)


def initializer(config: Config) -> keras.initializers.Initializer:
    if config.initializer == "random_normal":
        return keras.initializers.RandomNormal(stddev=config.init_std)
    if config.initializer in ("xavier", "he"):  # randn · √(scale / fan_in), untruncated
        return keras.initializers.VarianceScaling(
            scale=1.0 if config.initializer == "xavier" else 2.0,
            mode="fan_in",
            distribution="untruncated_normal",
        )
    if config.initializer == "standard":  # U[−√(3·scale/n), …] with scale ⅓: 1/√n
        return keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform")
    return keras.initializers.get(config.initializer)


def _batch_norm(config: Config, name: str) -> keras.layers.BatchNormalization:
    return keras.layers.BatchNormalization(
        momentum=config.bn_momentum, epsilon=config.bn_epsilon, name=name
    )


def regularizer(config: Config) -> keras.regularizers.Regularizer | None:
    lam = config.reg_lambda
    return {
        "none": None,
        "l1": keras.regularizers.L1(lam),
        "l2": keras.regularizers.L2(lam),
        "l1_l2": keras.regularizers.L1L2(l1=lam, l2=lam),
    }[config.regularizer]


def optimizer(config: Config, steps: int = 1) -> keras.optimizers.Optimizer:
    """The update rule; `steps` is the length of the run, for the cosine schedule."""
    lr = config.learning_rate
    if config.lr_schedule == "cosine":
        lr = keras.optimizers.schedules.CosineDecay(lr, decay_steps=steps)
    return {
        "sgd": lambda: keras.optimizers.SGD(lr),
        "momentum": lambda: keras.optimizers.SGD(lr, momentum=0.9),
        "nesterov": lambda: keras.optimizers.SGD(lr, momentum=0.9, nesterov=True),
        "adagrad": lambda: keras.optimizers.Adagrad(
            lr, initial_accumulator_value=config.adagrad_accumulator
        ),
        "rmsprop": lambda: keras.optimizers.RMSprop(lr),
        # dnnlab's fused Adam (the same arithmetic), or Keras' own with plain_keras.
        "adam": lambda: (keras.optimizers.Adam if config.plain_keras else FusedAdam)(
            lr
        ),
    }[config.optimizer]()


def loss(config: Config) -> keras.losses.Loss:
    # Labels are one-hot so that MSE and cross-entropy compare the same two vectors.
    if config.loss == "mse":
        return keras.losses.MeanSquaredError(name="mse")
    return keras.losses.CategoricalCrossentropy(name="cross_entropy")


def _dense(config: Config, units: int, name: str, use_bias: bool) -> keras.layers.Dense:
    return keras.layers.Dense(
        units,
        use_bias=use_bias,
        kernel_initializer=initializer(config),
        kernel_regularizer=regularizer(config),
        # Each column of a Dense kernel holds one unit's incoming weights.
        kernel_constraint=(
            keras.constraints.MaxNorm(config.max_norm, axis=0)
            if config.max_norm
            else None
        ),
        name=name,
    )


SHOWN, MOST = 2, 4  # beyond MOST distinct models, SHOWN are printed in full


def describe(variants: dict[str, Config]) -> str:
    """The Keras code each distinct architecture becomes (keras_code); for more
    than MOST, the first SHOWN and a line naming what the others change."""
    seen: dict[str, list[str]] = {}
    for name, config in variants.items():
        seen.setdefault(keras_code(config), []).append(name)
    blocks = [
        f"Keras model of {', '.join(names)}:\n{text}" for text, names in seen.items()
    ]
    if len(blocks) > MOST:  # a grid of variants: two models say what the rest are
        rest = [n for names in list(seen.values())[SHOWN:] for n in names]
        differ = sorted(
            f.name
            for f in dataclasses.fields(Config)
            if len({getattr(variants[n], f.name) for n in rest}) > 1
        )
        blocks[SHOWN:] = [
            f"... and {len(rest)} more ({rest[0]} … {rest[-1]}), which differ in: "
            + (", ".join(differ) or "settings")
        ]
    return "\n".join(blocks)


def keras_code(config: Config) -> str:
    """The Keras a student would write for this config: the Sequential literal of
    the model build_model makes (each layer's shape and parameters beside it) and
    its compile call; run as Python with `keras` imported, it builds the same
    model (tests/test_model.py)."""
    from dnnlab.config import MNIST_TRAIN

    model = build_model(config)
    lines = [
        "model = keras.Sequential(",
        "    [",
        f"        keras.Input(({N_INPUTS},)),",
    ]
    for layer in model.layers:
        params = layer.count_params()
        note = f"{tuple(layer.output.shape)}" + (
            f", {params:,} params" if params else ""
        )
        call = _call(layer)
        if len(call) > 60:  # one argument a line
            head, _, args = call.partition("(")
            call = (
                f"{head}(\n"
                + "".join(f"            {a},\n" for a in _split(args[:-1]))
                + "        )"
            )
        lines.append(f"        {call},  # {note}")
    lines += ["    ]", ")", f"# {model.count_params():,} parameters"]
    n = config.train_images(MNIST_TRAIN)
    steps = config.steps or -(-n // config.batch_size) * config.epochs
    rule = optimizer(config, steps)
    kind = "Adam" if isinstance(rule, FusedAdam) else type(rule).__name__
    fused = "  # fused on TensorFlow" if kind != type(rule).__name__ else ""
    args = _args_of(rule.get_config(), type(rule)(), skip={"learning_rate"})
    lr = rule.get_config()["learning_rate"]
    lr = _value(lr) if isinstance(lr, dict) else _value(config.learning_rate)
    lines += [
        "model.compile(",
        f"    optimizer=keras.optimizers.{kind}({', '.join([lr, *args])}),{fused}",
        f"    loss={_call(loss(config))},",
        '    metrics=["accuracy"],',
        ")",
    ]
    return "\n".join(lines)


# A layer's first argument, where Keras takes one.
_POSITIONAL = {"Dense": "units", "Dropout": "rate", "Activation": "activation"}
_NEVER = {"name", "trainable", "dtype", "seed"}


def _call(obj) -> str:
    """`keras.layers.Dense(256, use_bias=False)`: an object as the call making it,
    its arguments those that differ from the defaults."""
    kind = type(obj).__name__
    module = "keras.losses" if isinstance(obj, keras.losses.Loss) else "keras.layers"
    c = obj.get_config()
    first = _POSITIONAL.get(kind)
    args = [_value(c[first])] if first else []
    default = type(obj)(c[first]) if first else type(obj)()
    return f"{module}.{kind}({', '.join(args + _args_of(c, default, {first}))})"


def _split(args: str) -> list[str]:
    """A call's arguments, split at the commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(args):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(args[start:i].strip())
            start = i + 1
    return [*parts, args[start:].strip()]


def _args_of(c: dict, default, skip=()) -> list[str]:
    d = default.get_config()
    return [
        f"{k}={_value(v)}"
        for k, v in c.items()
        if k not in _NEVER and k not in skip and v != d.get(k)
    ]


def _value(v) -> str:
    if isinstance(v, float):  # short where exact, and a float: 10.0, not 10
        text = f"{v:.6g}" if float(f"{v:.6g}") == v else repr(v)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(v, dict) and "class_name" in v:  # a serialized Keras object
        import importlib

        cls = getattr(importlib.import_module(v["module"]), v["class_name"])
        try:
            default = cls().get_config()
        except TypeError:  # required arguments: all shown
            default = {}
        args = [
            f"{k}={_value(x)}"
            for k, x in v["config"].items()
            if k not in _NEVER and x != default.get(k)
        ]
        return f"{v['module']}.{v['class_name']}({', '.join(args)})"
    return repr(v).replace("'", '"')
