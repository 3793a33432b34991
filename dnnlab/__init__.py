"""dnnlab: the labs of the lecture "Deep Neural Network" in TensorFlow 2 / Keras 3.

`Config`, the claims and `Lab` import no TensorFlow, so --help and bad flags
answer at once; the rest loads Keras on first use.
"""

import importlib.util
import os
import sys

from dnnlab.claims import Claim, Prediction, Stat, about, above, below, loss, num, pct
from dnnlab.config import Config, ConfigError
from dnnlab.i18n import msg
from dnnlab.lab import Lab, Seeds, column
from dnnlab.result import Result


def _require() -> None:
    """Under a Python without the labs' libraries, one line saying what to do."""
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    need = ("numpy", "keras", backend, "matplotlib")
    missing = [m for m in need if importlib.util.find_spec(m) is None]
    if missing:
        line = (
            f"dnnlab: this Python ({sys.executable}) lacks {', '.join(missing)}: "
            "run `make install`, then `source .venv/bin/activate` (or run the lab "
            "with .venv/bin/python)"
        )
        main = sys.modules.get("__main__")
        raise SystemExit(line) if hasattr(main, "__file__") else ImportError(line)


_require()

__all__ = [
    "Claim",
    "Prediction",
    "Config",
    "ConfigError",
    "column",
    "DataError",
    "Lab",
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
    "msg",
    "num",
    "pct",
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
