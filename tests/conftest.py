import contextlib
import io
import os
import random
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

LABS = Path(__file__).parent.parent / "labs"


@pytest.fixture(autouse=True)
def _seed():
    random.seed(0)
    np.random.seed(0)


@pytest.fixture(autouse=True)
def _no_op_determinism_left():
    """A --deterministic run turns TensorFlow's op determinism on for the whole
    process (device.setup): turned off again so later tests run as a lab would."""
    yield
    if "tensorflow" in sys.modules:
        from tensorflow.python.framework import config

        if config.is_op_determinism_enabled():
            config.disable_op_determinism()


KERAS_CACHE = Path.home() / ".keras" / "datasets"
if not os.environ.get("DNNLAB_DATA_DIR") and (KERAS_CACHE / "mnist.npz").is_file():
    os.environ["DNNLAB_DATA_DIR"] = str(KERAS_CACHE)  # an earlier Keras download


@pytest.fixture(scope="session")
def mnist():
    """The real MNIST from DNNLAB_DATA_DIR (or the Keras cache); never downloaded."""
    if not os.environ.get("DNNLAB_DATA_DIR"):
        pytest.fail("DNNLAB_DATA_DIR is not set (point it at the four MNIST files)")
    from dnnlab import load_mnist

    return load_mnist()


def lab_module(name: str) -> dict:
    """A lab's globals (variants, claim…), without running it."""
    return runpy.run_path(str(LABS / f"{name}.py"))


def run_lab(name: str, logs: Path, *flags: str) -> tuple[str, int]:
    """Run a lab in this process as `python labs/<name>.py` would: (stdout, exit)."""
    argv = [str(LABS / f"{name}.py"), *flags, "--log-dir", str(logs)]
    out, code = io.StringIO(), 0
    saved = sys.argv
    sys.argv = argv
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as e:
        code = e.code
    finally:
        sys.argv = saved
    return out.getvalue(), code


class LabRun:
    """One quick run of a lab, shared by every test that looks at it."""

    def __init__(self, name: str, logs: Path, flags: tuple[str, ...]):
        self.name, self.logs = name, logs
        self.out, self.code = run_lab(name, logs, *flags)
        assert self.code == 0, self.out[-3000:]
        (self.root,) = (logs / Path(name).name).iterdir()  # the lab's own folder

    def variant_dirs(self) -> list[Path]:
        return sorted(p for p in self.root.iterdir() if p.is_dir())


@pytest.fixture(scope="session")
def lab_run(mnist, tmp_path_factory):
    """lab_run(name, *flags): each lab runs once per session in quick mode (a net on
    a small slice of MNIST for one epoch, no TensorBoard: dnnlab.lab.QUICK)."""
    from dnnlab import registry
    from dnnlab.lab import QUICK

    cache: dict = {}

    def get(name: str, *flags: str) -> LabRun:
        key = (name, flags)
        if key not in cache:
            logs = tmp_path_factory.mktemp(Path(name).name)
            net = registry.BY_PATH[name].declaration().net
            cache[key] = LabRun(name, logs, (*(QUICK if net else ()), *flags))
        return cache[key]

    return get
