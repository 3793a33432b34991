"""The single description of an experiment: a frozen dataclass, checked in one place.

Each field carries its help text as metadata; the command line is generated from it.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass

from dnnlab.i18n import _, as_shown, msg

# Every string field and the values it accepts; model.py turns them into Keras objects.
CHOICES = {
    "activation": (
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "prelu",
        "elu",
        "selu",
        "linear",
    ),
    "initializer": (
        "random_normal",  # N(0, init_std²), the slides' naive start
        "xavier",  # the slide's formula: N(0, 1/n), n the previous layer's width
        "he",  # the slide's formula: N(0, 2/n)
        "glorot_normal",  # Xavier, truncated normal
        "glorot_uniform",  # Xavier, Keras' default
        "he_normal",  # truncated normal
        "he_uniform",
        "standard",  # Glorot & Bengio 2010's "standard": U[−1/√n, 1/√n]
    ),
    "regularizer": ("none", "l1", "l2", "l1_l2"),
    "batch_norm": ("off", "before", "after"),  # before or after the activation
    "loss": ("cross_entropy", "mse"),
    "optimizer": ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"),
    "lr_schedule": ("constant", "cosine"),
}
MNIST_TRAIN = 60_000  # training images of MNIST, for checks made before any data loads


class ConfigError(ValueError):
    """A bad value; the message names the field, the value and what is allowed."""


def _field(default, help: str):
    return dataclasses.field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Config:
    """One experiment: the network, how it learns, and where its logs go."""

    name: str = _field("dnnlab", "the lab's name: runs go to LOG_DIR/NAME/<timestamp>")
    hidden_units: tuple[int, ...] = _field(
        (256, 256, 256), "hidden widths, e.g. 256,256; none = softmax regression"
    )
    activation: str = _field("relu", "non-linearity of every hidden layer")
    initializer: str = _field(
        "glorot_uniform",
        "how every Dense kernel starts; xavier and he are the slide's plain normals "
        "with std √(1/n) and √(2/n) (TF1's xavier_initializer was Glorot uniform); "
        "glorot_normal and he_normal are Keras' truncated normals",
    )
    init_std: float = _field(0.01, "standard deviation of random_normal")
    regularizer: str = _field("none", "weight decay on every Dense kernel")
    reg_lambda: float = _field(
        1e-4,
        "λ of the weight decay: Keras adds λ·Σw² (L2) or λ·Σ|w| (L1) to the loss; "
        "the textbook's ½λ·Σw² is this with λ/2",
    )
    batch_norm: str = _field("off", "batch normalization in each hidden block")
    bn_momentum: float = _field(
        0.9,
        "momentum of batch norm's moving averages (Keras' default 0.99 has not "
        "settled after a few hundred steps; 0.9 is PyTorch's and the textbook's)",
    )
    bn_epsilon: float = _field(1e-3, "batch norm's ε, added to the variance")
    dropout: float = _field(0.0, "fraction of hidden units dropped while training")
    input_dropout: float = _field(
        0.0, "fraction of input pixels dropped while training (Srivastava et al.: 0.2)"
    )
    max_norm: float = _field(
        0.0,
        "cap the L2 norm of each unit's incoming weights after every update "
        "(Srivastava et al. 2014 use 3 to 4 with dropout); 0: no cap",
    )
    loss: str = _field("cross_entropy", "cost function on the softmax outputs")
    optimizer: str = _field("adam", "update rule")
    learning_rate: float = _field(0.001, "step size of the update")
    adagrad_accumulator: float = _field(
        0.1, "AdaGrad's starting sum of squared gradients (Keras: 0.1; the textbook: 0)"
    )
    lr_schedule: str = _field("constant", "cosine: decay the step size to 0")
    batch_size: int = _field(100, "images per gradient step")
    epochs: int = _field(10, "passes over the training set")
    steps: int = _field(
        0,
        "train exactly this many iterations instead of epochs, minibatches drawn "
        "pass after pass over the shuffled training set, one evaluation at the end "
        "(0: use epochs)",
    )
    trace_every: int = _field(
        50,
        "record the training loss every N iterations (1: every one; Keras then runs "
        "one step per call, which is slower)",
    )
    curves: bool = _field(
        False,
        "after every epoch also measure accuracy on the training set (inference "
        "mode) and on the test set, for learning curves; nothing is selected on them",
    )
    checkpoint: bool = _field(
        True, "save a checkpoint every epoch so that --resume can go on (off: faster)"
    )
    validation_split: float = _field(
        0.1, "fraction of the training set held out for validation (0: none)"
    )
    limit: int = _field(0, "train on the first N training images only (0: all)")
    seed: int = _field(1, "seeds Python, NumPy and the backend")
    deterministic: bool = _field(
        False, "identical numbers run after run (TensorFlow; slower)"
    )
    xla: bool = _field(False, "compile the training step with XLA (on GPUs: always)")
    plain_keras: bool = _field(
        False,
        "Keras as it comes: its own Adam, fit loop, validation and callbacks, none of "
        "dnnlab's speed-ups (dnnlab/speedups.py; slower, the same lesson)",
    )
    tensorboard: bool = _field(True, "write a TensorBoard run")
    resume: bool = _field(False, "go on with the lab's latest run where it stopped")
    log_dir: str = _field("logs", "root folder of the TensorBoard runs")
    mixed_precision: bool = _field(
        False, "compute in float16 (bfloat16 on CPU), keep weights float32"
    )

    def __new__(cls, *args, **changes):
        # A misspelled field is named, with the field meant, not a bare TypeError.
        _known(changes, cls.__dataclass_fields__)
        return super().__new__(cls)

    def __post_init__(self) -> None:
        # The command line may hand over a list; a tuple keeps the config hashable.
        if not isinstance(self.hidden_units, (list, tuple)):
            _fail("hidden_units", self.hidden_units, msg("a tuple of integers"))
        object.__setattr__(self, "hidden_units", tuple(self.hidden_units))
        for field in dataclasses.fields(self):
            _check_type(field.name, getattr(self, field.name), field.type)
        for field, allowed in CHOICES.items():
            _check_choice(field, getattr(self, field), allowed)
        if any(u < 1 for u in self.hidden_units):
            _fail("hidden_units", self.hidden_units, msg("widths of at least 1"))
        if not 0.0 <= self.dropout < 1.0:
            _fail("dropout", self.dropout, msg("a rate in [0, 1)"))
        if not 0.0 <= self.input_dropout < 1.0:
            _fail("input_dropout", self.input_dropout, msg("a rate in [0, 1)"))
        if self.max_norm < 0:
            _fail("max_norm", self.max_norm, msg("a norm ≥ 0 (0: no cap)"))
        if not 0.0 <= self.validation_split < 1.0:
            _fail(
                "validation_split", self.validation_split, msg("a fraction in [0, 1)")
            )
        for field in ("learning_rate", "init_std"):
            if not getattr(self, field) > 0:
                _fail(field, getattr(self, field), msg("a number > 0"))
        if not 0.0 <= self.bn_momentum < 1.0:
            _fail("bn_momentum", self.bn_momentum, msg("a number in [0, 1)"))
        if not self.bn_epsilon > 0:
            _fail("bn_epsilon", self.bn_epsilon, msg("a number > 0"))
        if not self.reg_lambda >= 0:
            _fail("reg_lambda", self.reg_lambda, msg("a number >= 0"))
        if not self.adagrad_accumulator >= 0:
            _fail("adagrad_accumulator", self.adagrad_accumulator, msg("a number >= 0"))
        if self.steps < 0:
            _fail("steps", self.steps, msg("an integer >= 0 (0 = use epochs)"))
        for field in ("batch_size", "epochs", "trace_every"):
            if getattr(self, field) < 1:
                _fail(field, getattr(self, field), msg("an integer >= 1"))
        if self.limit < 0:
            _fail("limit", self.limit, msg("an integer >= 0 (0 = all)"))
        images = self.train_images(MNIST_TRAIN)
        if self.batch_size > images:
            at_most = msg("at most the {images} training images", images=images)
            _fail("batch_size", self.batch_size, at_most)
        if not self.name or "/" in self.name or self.name.startswith("."):
            _fail("name", self.name, msg("a folder name without '/'"))

    def train_images(self, available: int) -> int:
        """How many of `available` training images this config trains on."""
        n = available - int(round(available * self.validation_split))
        return min(self.limit, n) if self.limit else n

    def ignored(self) -> list[str]:
        """The fields set away from their default that the rest of the config
        ignores, each as a line saying why."""
        unused = {
            "init_std": self.initializer != "random_normal",
            "reg_lambda": self.regularizer == "none",
            "bn_momentum": self.batch_norm == "off",
            "bn_epsilon": self.batch_norm == "off",
            "adagrad_accumulator": self.optimizer != "adagrad",
            "epochs": self.steps > 0,
        }
        because = {
            "init_std": msg(
                "initializer is {initializer!r}, not 'random_normal'",
                initializer=self.initializer,
            ),
            "reg_lambda": msg("regularizer is 'none'"),
            "bn_momentum": msg("batch_norm is 'off'"),
            "bn_epsilon": msg("batch_norm is 'off'"),
            "adagrad_accumulator": msg(
                "optimizer is {optimizer!r}", optimizer=self.optimizer
            ),
            "epochs": msg("steps={steps} sets the length", steps=self.steps),
        }
        defaults = {f.name: f.default for f in dataclasses.fields(self)}
        return [
            msg(
                "{field}={value!r} is ignored: {because}",
                field=name,
                value=getattr(self, name),
                because=because[name],
            )
            for name, off in unused.items()
            if off and getattr(self, name) != defaults[name]
        ]

    def replace(self, **changes) -> Config:
        """A copy with some fields changed, validated like a new one."""
        _known(changes, FIELDS)
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


FIELDS = tuple(f.name for f in dataclasses.fields(Config))


def _known(changes: dict, fields) -> None:
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        near = difflib.get_close_matches(unknown[0], list(fields), n=1)
        if near:
            raise ConfigError(
                _("{name!r} is not a Config field (did you mean {near!r}?)").format(
                    name=unknown[0], near=near[0]
                )
            )
        raise ConfigError(_("{name!r} is not a Config field").format(name=unknown[0]))


def _check_choice(field: str, value, allowed: tuple[str, ...]) -> None:
    """A ConfigError unless `value` is one of `allowed`, naming the one meant."""
    if value in allowed:
        return
    near = difflib.get_close_matches(str(value).lower(), allowed, n=1)
    choices = ", ".join(allowed)
    if near:
        expected = msg(
            "one of {choices} (did you mean {near!r}?)", choices=choices, near=near[0]
        )
    else:
        expected = msg("one of {choices}", choices=choices)
    _fail(field, value, expected)


def _fail(field: str, value, allowed: str):
    """A ConfigError: `allowed` a msg, shown in the language spoken now."""
    raise ConfigError(
        _("{field}={value!r} is not allowed: expected {allowed}").format(
            field=field, value=value, allowed=as_shown(allowed)
        )
    )


_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool}


def _check_type(name: str, value, annotation: str) -> None:
    if annotation == "tuple[int, ...]":
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            _fail(name, value, msg("a tuple of integers"))
        return
    expected = _TYPES[annotation]
    # bool is an int in Python; only a bool field takes True/False.
    if not isinstance(value, expected) or (
        annotation != "bool" and isinstance(value, bool)
    ):
        _fail(name, value, msg("a value of type {annotation}", annotation=annotation))
    if annotation == "float" and not math.isfinite(value):
        _fail(name, value, msg("a finite number"))
