"""dnnlab.train() on the five-layer lab's net, 3 epochs: the same work as
tutorial.py (validation each epoch, TensorBoard, the test set once), as the lab
runs it (its own Config: He init, dropout 0.2, Adam, cosine schedule). One JSON
line of timings at the end (clock.py).

Run: python bench/dnnlab_train.py [--plain-keras]   (KERAS_BACKEND=jax for JAX)
"""

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dnnlab.data import load_mnist, prefetch  # noqa: E402 (NumPy only, no Keras)

LAB = ROOT / "labs" / "DNN_deep_hidden_layer5.py"
EPOCHS = 3


def lab_config():
    """The lab's own Config: one source of truth for the benchmarked net."""
    spec = importlib.util.spec_from_file_location("lab", LAB)
    lab = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lab)
    return lab.config


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--plain-keras", action="store_true", help="no dnnlab speed-ups")
    plain = p.parse_args().plain_keras
    prefetch()  # as a lab does: MNIST read while Keras loads
    from bench.clock import clock, report
    from dnnlab.backend import keras
    from dnnlab.training import train

    data = load_mnist()
    with tempfile.TemporaryDirectory() as logs:
        config = lab_config().replace(epochs=EPOCHS, log_dir=logs, plain_keras=plain)
        timer = clock(keras)
        start = time.perf_counter()
        result = train(config, data, callbacks=[timer], verbose=0)
        call = time.perf_counter() - start
    report(timer, call, result.test_accuracy)
