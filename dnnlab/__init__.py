"""dnnlab: the labs of the lecture "Deep Neural Network" in TensorFlow 2 / Keras 3.

`Config`, `run_cli` and `compare` import no TensorFlow, so --help answers at once;
the rest loads Keras on first use.
"""

import os

# TensorFlow's C++ start-up chatter (CPU flags, no CUDA) hides the lab's own output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from dnnlab.compare import compare  # noqa: E402
from dnnlab.config import Config, ConfigError  # noqa: E402

__all__ = [
    "Config",
    "ConfigError",
    "Mnist",
    "Result",
    "DataError",
    "build_model",
    "compare",
    "load_mnist",
    "run_cli",
    "train",
]
_LAZY = {
    "build_model": "dnnlab.model",
    "load_mnist": "dnnlab.data",
    "Mnist": "dnnlab.data",
    "DataError": "dnnlab.data",
    "train": "dnnlab.training",
    "Result": "dnnlab.training",
    "run_cli": "dnnlab.cli",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dnnlab' has no attribute {name!r}")
