from __future__ import annotations

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
# English unless a test asks for Korean (a developer's LANG=ko_KR leaves the English
# tests English); a Korean message without its translation is an error, not English.
os.environ["DNNLAB_LANG"] = "en"
os.environ["DNNLAB_STRICT_LANG"] = "1"


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


# Set by make test-all and make test-jax (CI): each lab's quick run happens once per
# backend, in a Jupyter kernel from its notebook, and both the lab's tests and the
# notebook's test look at that one run. Unset (make test): in this process.
IN_KERNEL = bool(os.environ.get("DNNLAB_QUICK_IN_KERNEL"))


class LabRun:
    """One quick run of a lab, shared by every test that looks at it: out is what
    it printed (in a kernel: its run cell's stdout and each display's plain text,
    in order), root its own folder of logs; nb the executed notebook, if any."""

    def __init__(self, name: str, logs: Path, flags: tuple[str, ...]):
        self.name, self.logs, self.nb = name, logs, None
        self.out, code = run_lab(name, logs, *flags)
        assert code == 0, self.out[-3000:]
        (self.root,) = (logs / Path(name).name).iterdir()  # the lab's own folder

    @classmethod
    def in_kernel(cls, name: str, folder: Path, flags: tuple[str, ...]) -> LabRun:
        """The run in a kernel, made once for all the test workers: the first to
        ask runs it into folder (shared by the workers), the others wait, then
        read it."""
        import fcntl

        import nbformat

        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (folder / "out.txt").is_file():
                (folder / "logs").mkdir(exist_ok=True)
                nb, out = in_kernel(name, folder / "logs", flags)
                nbformat.write(nb, folder / "run.ipynb")
                (folder / "out.txt").write_text(out)
        run = cls.__new__(cls)
        run.name, run.logs = name, folder / "logs"
        run.nb = nbformat.read(folder / "run.ipynb", 4)
        run.out = (folder / "out.txt").read_text()
        (run.root,) = (run.logs / Path(name).name).iterdir()
        return run

    def variant_dirs(self) -> list[Path]:
        return sorted(p for p in self.root.iterdir() if p.is_dir())


def in_kernel(name: str, logs: Path, flags: tuple[str, ...]):
    """The lab's notebook run with these flags in a fresh kernel: (the executed
    notebook, the run cell's printed text)."""
    sys.path.insert(0, str(LABS.parent / "scripts"))
    import notebooks
    from dnnlab import registry

    nb = notebooks.notebook(registry.BY_PATH[name])
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    cell.source = f"flags = {' '.join([*flags, '--log-dir', str(logs)])!r}"
    notebooks.execute(nb, logs.parent, timeout=600)
    (run,) = [c for c in nb.cells if c.cell_type == "code" and "LAB.run(" in c.source]
    texts = []
    for o in run.outputs:
        if o.output_type == "stream" and o.name == "stdout":
            texts.append(o.text)
        elif "text/plain" in o.get("data", {}) and "image/png" not in o.data:
            texts.append(o.data["text/plain"] + "\n")
    return nb, "".join(texts)


@pytest.fixture(scope="session")
def lab_run(mnist, tmp_path_factory):
    """lab_run(name, *flags): each lab runs once per session in quick mode (a net on
    a small slice of MNIST for one epoch, no TensorBoard: dnnlab.lab.QUICK, then
    the flags), in a kernel where IN_KERNEL and the flags are the lab's own quick
    ones. lab_run.kernel(name): its quick run in a kernel, always."""
    from dnnlab import registry
    from dnnlab.lab import QUICK

    cache: dict = {}
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "kernel"

    def run(name: str, *flags: str, kernel: bool = False) -> LabRun:
        lab = registry.BY_PATH[name].declaration()
        flags = (*(QUICK if lab.net else ()), *flags)
        key = (name, flags, kernel or (IN_KERNEL and flags == lab.quick_run()))
        if key not in cache:
            if key[2]:
                folder = shared / name.replace("/", "__")
                cache[key] = LabRun.in_kernel(name, folder, flags)
            else:
                logs = tmp_path_factory.mktemp(Path(name).name)
                cache[key] = LabRun(name, logs, flags)
        return cache[key]

    run.kernel = lambda name: run(
        name, *registry.BY_PATH[name].declaration().quick, kernel=True
    )
    return run
