"""What runs on which device: the backend, its GPUs, mixed precision and multi-GPU.

The TensorFlow-only parts of dnnlab (`tf.config`, `tf.distribute`) live here.
"""

from __future__ import annotations

import contextlib
import functools
import os

import keras


@functools.cache
def devices() -> tuple[str, list[str]]:
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
    return backend, names or [f"CPU ({os.cpu_count()} cores)"]


def setup(
    mixed_precision: bool = False, deterministic: bool = False
) -> contextlib.AbstractContextManager:
    """Announce the devices once; return the scope to build and compile models under."""
    backend, names = devices()
    if deterministic and backend == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    gpus = [n for n in names if n.startswith("GPU")]
    # On a CPU float16 is emulated and slow; bfloat16 is what CPUs accelerate.
    policy = (
        ("mixed_float16" if gpus else "mixed_bfloat16")
        if mixed_precision
        else "float32"
    )
    keras.mixed_precision.set_global_policy(policy)
    strategy = None
    if backend == "tensorflow" and len(gpus) > 1:
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy()
    line = f"dnnlab: backend {backend}, {', '.join(names)}, {policy}"
    if strategy is not None:
        line += f", MirroredStrategy over {len(gpus)} GPUs"
    if line != getattr(setup, "_said", None):
        print(line, flush=True)
        setup._said = line
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def tensorboard_available() -> bool:
    """TensorBoard's writer goes through tf.summary: it needs TensorFlow importable."""
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        return False
    return True


def _tf_gpu_name(gpu) -> str:
    import tensorflow as tf

    return tf.config.experimental.get_device_details(gpu).get("device_name", "GPU")
