"""dnnlab: the labs of the lecture "Deep Neural Network" in TensorFlow 2 / Keras 3.

`Config`, the claims and `run_lab` import no TensorFlow, so --help and bad flags
answer at once; the rest loads Keras on first use.
"""

from dnnlab.claims import Claim, Stat, about, above, below, loss, num, pct
from dnnlab.config import Config, ConfigError
from dnnlab.lab import Seeds, column, run_lab
from dnnlab.result import Result

__all__ = [
    "Claim",
    "Config",
    "ConfigError",
    "column",
    "DataError",
    "Mnist",
    "Result",
    "Seeds",
    "Stat",
    "about",
    "above",
    "below",
    "build_model",
    "load_mnist",
    "loss",
    "num",
    "pct",
    "run_lab",
    "train",
]
_LAZY = {
    "build_model": "dnnlab.model",
    "load_mnist": "dnnlab.data",
    "Mnist": "dnnlab.data",
    "DataError": "dnnlab.data",
    "train": "dnnlab.training",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dnnlab' has no attribute {name!r}")
