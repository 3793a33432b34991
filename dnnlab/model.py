"""Config -> Keras model: the one place where config strings become Keras objects."""

from __future__ import annotations

import dataclasses

from dnnlab.backend import keras
from dnnlab.config import Config

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
        "adam": lambda: FusedAdam(lr),
    }[config.optimizer]()


class FusedAdam(keras.optimizers.Adam):
    """Keras' Adam; on TensorFlow each variable's update is one fused kernel,
    ResourceApplyAdam, as Keras 2's Adam applied it. The same arithmetic as Keras 3's
    update_step: m += (g − m)(1 − β₁), v += (g² − v)(1 − β₂),
    w −= α·m / (√v + ε) with α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ); Keras 3 writes it as about
    fifteen small ops per variable (BENCHMARKS.md, "Keras' own Adam": what it saves)."""

    def update_step(self, gradient, variable, learning_rate):
        if keras.backend.backend() != "tensorflow" or self.amsgrad:
            return super().update_step(gradient, variable, learning_rate)
        import tensorflow as tf

        if isinstance(gradient, tf.IndexedSlices):  # sparse: Keras' own update
            return super().update_step(gradient, variable, learning_rate)
        i, dtype = self._get_variable_index(variable), variable.dtype
        step = tf.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=self._momentums[i].value.handle,
            v=self._velocities[i].value.handle,
            beta1_power=tf.pow(beta_1, step),
            beta2_power=tf.pow(beta_2, step),
            lr=tf.cast(learning_rate, dtype),
            beta1=beta_1,
            beta2=beta_2,
            epsilon=tf.cast(self.epsilon, dtype),
            grad=tf.cast(gradient, dtype),
        )


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
    """The Keras model each distinct architecture becomes, a line per layer; for
    more than MOST, the first SHOWN and a line naming what the others change."""
    seen: dict[str, list[str]] = {}
    for name, config in variants.items():
        text = "\n".join(_layer_line(layer) for layer in build_model(config).layers)
        seen.setdefault(text, []).append(name)
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


def _layer_line(layer) -> str:
    c = layer.get_config()
    kind = type(layer).__name__
    if kind == "Dense":
        init = c["kernel_initializer"]
        init_args = {
            k: v
            for k, v in (init.get("config") or {}).items()
            if k != "seed" and v is not None
        }
        reg = c.get("kernel_regularizer")
        parts = [
            f"{c['units']} units",
            f"init {init['class_name']}{_args(init_args)}",
            f"reg {reg['class_name']}{_args(reg['config'])}" if reg else "",
            "no bias" if not c["use_bias"] else "",
        ]
    elif kind == "BatchNormalization":
        parts = [f"momentum {c['momentum']}", f"epsilon {c['epsilon']}"]
    elif kind == "Dropout":
        parts = [f"rate {c['rate']}"]
    elif kind == "Activation":
        parts = [c["activation"]]
    elif kind == "LeakyReLU":
        parts = [f"slope {c['negative_slope']}"]
    else:
        parts = []
    return f"  {layer.name:<10} {kind:<19} " + ", ".join(p for p in parts if p)


def _args(d: dict) -> str:
    shown = ", ".join(
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in d.items()
    )
    return f"({shown})" if shown else ""
