"""What runs on which device: the backend, its GPUs, mixed precision and multi-GPU.

The TensorFlow-only parts of dnnlab (`tf.config`, `tf.distribute`) live here.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys

from dnnlab.backend import keras


@functools.cache
def devices() -> tuple[str, tuple[str, ...]]:
    """(backend, the devices it will use); GPUs get memory growth on TensorFlow."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        for gpu in gpus:  # must happen before TensorFlow touches the GPU
            tf.config.experimental.set_memory_growth(gpu, True)
        names = [f"GPU:{i} ({_tf_gpu_name(g)})" for i, g in enumerate(gpus)]
    elif backend == "jax":
        import jax

        names = [
            f"{d.platform.upper()}:{d.id} ({d.device_kind})" for d in jax.devices()
        ]
        names = [n for n in names if not n.startswith("CPU")]
    else:
        names = []
    return backend, tuple(names or [f"CPU ({os.cpu_count()} cores)"])


def setup(
    mixed_precision: bool = False, deterministic: bool = False
) -> contextlib.AbstractContextManager:
    """Set the precision policy; the scope to build and compile models under."""
    backend, names = devices()
    if deterministic and backend == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    keras.mixed_precision.set_global_policy(_policy(mixed_precision, names))
    strategy = _strategy(backend, names)
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def banner(mixed_precision: bool = False) -> str:
    """One line: the backend, its devices, the precision (and multi-GPU strategy)."""
    backend, names = devices()
    line = f"dnnlab: backend {backend}, {', '.join(names)}, "
    line += _policy(mixed_precision, names)
    gpus = [n for n in names if n.startswith("GPU")]
    if _strategy(backend, names) is not None:
        line += f", MirroredStrategy over {len(gpus)} GPUs"
    return line


def _policy(mixed_precision: bool, names: list[str]) -> str:
    # On a CPU float16 is emulated and slow; bfloat16 is what CPUs accelerate.
    if not mixed_precision:
        return "float32"
    return (
        "mixed_float16" if any(n.startswith("GPU") for n in names) else "mixed_bfloat16"
    )


@functools.cache
def _strategy(backend: str, names: tuple):
    gpus = [n for n in names if n.startswith("GPU")]
    if backend == "tensorflow" and len(gpus) > 1:
        import tensorflow as tf

        return tf.distribute.MirroredStrategy()
    return None


@functools.cache
def once(line: str) -> None:
    """Print a note the first time only."""
    print(line, flush=True)


def tensorboard_available() -> bool:
    """TensorBoard's writer goes through tf.summary: it needs TensorFlow, which
    dnnlab.backend loads (quietly) wherever it is installed, on either backend."""
    return "tensorflow" in sys.modules


def _tf_gpu_name(gpu) -> str:
    import tensorflow as tf

    return tf.config.experimental.get_device_details(gpu).get("device_name", "GPU")
