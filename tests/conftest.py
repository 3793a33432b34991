import os
import random
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(autouse=True)
def _seed():
    random.seed(0)
    np.random.seed(0)


KERAS_CACHE = Path.home() / ".keras" / "datasets"
if not os.environ.get("DNNLAB_DATA_DIR") and (KERAS_CACHE / "mnist.npz").is_file():
    os.environ["DNNLAB_DATA_DIR"] = str(
        KERAS_CACHE
    )  # an earlier Keras download, offline


@pytest.fixture(scope="session")
def mnist():
    """The real MNIST from DNNLAB_DATA_DIR (or the Keras cache); never downloaded."""
    if not os.environ.get("DNNLAB_DATA_DIR"):
        pytest.skip("DNNLAB_DATA_DIR is not set (point it at the four MNIST files)")
    from dnnlab import load_mnist

    return load_mnist()
