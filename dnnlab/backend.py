"""Keras, imported once, without TensorFlow's C++ start-up chatter.

TensorFlow 2.21 writes its start-up lines (absl, oneDNN, no CUDA, CPU features) to
file descriptor 2 from C++, ignoring TF_CPP_MIN_LOG_LEVEL; they would be the first
lines of every lab. They are caught while Keras loads and the devices are listed;
any other line (a real error) is written out again.
"""

from __future__ import annotations

import atexit
import gc
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CHATTER = re.compile(
    r"absl::InitializeLog|oneDNN custom operations|cudart_stub|cuda_platform|"
    r"Could not find cuda drivers|cpu_feature_guard|To enable the following "
    r"instructions|failed call to cuInit|Unable to register cu|TF-TRT Warning|"
    r"computation placer already registered|This TensorFlow binary is optimized"
)


def quiet(fn: Callable):
    """fn(), with TensorFlow's known start-up lines on stderr dropped."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as caught:
        os.dup2(caught.fileno(), 2)
        try:
            return fn()
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            for line in caught.read().decode(errors="replace").splitlines():
                if line.strip() and not CHATTER.search(line):
                    print(line, file=sys.stderr)


def _load():
    import keras

    # On JAX too where TensorFlow is installed: Keras loads it anyway when it
    # serializes a layer (the model listing) and TensorBoard writes through it.
    if importlib.util.find_spec("tensorflow"):
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")  # retracing notes: each lab builds models
        tf.config.list_physical_devices("GPU")  # the CUDA probe prints once, here
    if keras.backend.backend() == "jax":
        _jax_cache()
    return keras


def _jax_cache() -> None:
    """JAX's persistent compilation cache (unless JAX_COMPILATION_CACHE_DIR names
    another): a lab's second run loads its compiled steps instead of compiling them
    again (a fresh DNN_deep_hidden_layer5 --epochs 1 --limit 6000 on 2 cores:
    12.6 s cold, 8.3 s warm, medians of 2 and 4 runs; the same numbers)."""
    import jax

    if not os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        folder = os.path.join(os.path.expanduser("~"), ".cache", "dnnlab", "jax")
        jax.config.update("jax_compilation_cache_dir", folder)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


# At exit Python's last garbage collections walk every object that Keras, TensorFlow
# and JAX made: about 2 s on 2 cores, after the lab has finished. Frozen, they are
# left to the operating system. Registered before Keras loads, so atexit calls it
# last, after every other exit handler (TensorBoard's writers flush before it).
atexit.register(gc.freeze)
keras = quiet(_load)
