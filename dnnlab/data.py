"""MNIST from a folder (the four LeCun IDX files or a Keras mnist.npz) or a download."""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dnnlab.i18n import _, as_shown, msg

ENV = "DNNLAB_DATA_DIR"
FILES = {  # field -> IDX file name (stored with or without .gz)
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
# SHA-256 of each file's decompressed content, from the MNIST README in shared/data.
SHA256 = {
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",  # noqa: E501
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",  # noqa: E501
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",  # noqa: E501
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",  # noqa: E501
}
HOW_TO_FIX = msg(
    "put the four MNIST files (gzip or raw) in a folder and point {env} at it, "
    "or unset it to use the Keras download",
    env=ENV,
)


class DataError(Exception):
    """MNIST is missing or damaged; the message is one line that says what to do."""


@dataclass(frozen=True, eq=False)
class Mnist:
    """Images as float32 in [0, 1], flattened to 784; labels as int32 digits."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # where the data came from, for the logs

    def split(self, validation_split: float, limit: int = 0):
        """(x_train, y_train), (x_val, y_val); validation is the training set's tail."""
        n_val = int(round(len(self.x_train) * validation_split))
        n_train = len(self.x_train) - n_val
        n_fit = min(limit, n_train) if limit else n_train
        return (
            (self.x_train[:n_fit], self.y_train[:n_fit]),
            (self.x_train[n_train:], self.y_train[n_train:]),
        )


def one_hot(labels: np.ndarray) -> np.ndarray:
    """Digits -> float32 one-hot rows, the targets of both MSE and cross-entropy."""
    return np.eye(10, dtype=np.float32)[labels]


def load_mnist(data_dir: str | os.PathLike | None = None, verify: bool = True) -> Mnist:
    """MNIST from `data_dir`, else $DNNLAB_DATA_DIR, else the Keras cache or download.

    Args:
        verify: check full-size IDX files against MNIST's published SHA-256.
    """
    folder = data_dir or os.environ.get(ENV)
    if not folder:
        return _load_keras()
    folder = str(Path(folder).resolve())
    if verify and folder in _prefetched:
        _prefetched[folder].result()  # waits; then the arrays are in the cache
    return _load_folder(folder, verify)


_prefetched: dict[str, Future] = {}


def prefetch() -> None:
    """Start reading $DNNLAB_DATA_DIR in a thread, to overlap importing TensorFlow.

    gzip and SHA-256 release the GIL; a DataError is raised by the next load_mnist().
    """
    folder = os.environ.get(ENV)
    if folder and str(Path(folder).resolve()) not in _prefetched:
        folder = str(Path(folder).resolve())
        _prefetched[folder] = ThreadPoolExecutor(1).submit(_load_folder, folder, True)


@functools.lru_cache(maxsize=2)
def _load_folder(folder: str, verify: bool) -> Mnist:
    root = Path(folder)
    if not root.is_dir():
        raise DataError(
            _("{root}: no such folder; {how_to_fix}").format(
                root=root, how_to_fix=as_shown(HOW_TO_FIX)
            )
        )
    arrays = {}
    for field, name in FILES.items():
        path = next(
            (p for p in (root / f"{name}.gz", root / name) if p.is_file()), None
        )
        if path is None:
            if (root / "mnist.npz").is_file():
                return _from_arrays(
                    _read_npz(root / "mnist.npz"), str(root / "mnist.npz")
                )
            raise DataError(
                _("{path}.gz: missing; {how_to_fix}").format(
                    path=root / name, how_to_fix=as_shown(HOW_TO_FIX)
                )
            )
        arrays[field] = read_idx(
            path, ndim=3 if field.startswith("x") else 1, verify=verify
        )
    return _from_arrays(arrays, str(root))


def read_idx(path: Path, ndim: int, verify: bool = False) -> np.ndarray:
    """One IDX file of unsigned bytes (gzip or raw), checked against its own header."""
    raw = _read_bytes(path)
    dims, header = _dims(path, raw, ndim)
    expected = int(np.prod(dims))
    if len(raw) - header != expected:
        raise DataError(
            _(
                "{path}: header promises {records} records ({expected} bytes) "
                "but the file holds {held} bytes; download it again"
            ).format(
                path=path, records=dims[0], expected=expected, held=len(raw) - header
            )
        )
    name = path.name.removesuffix(".gz")
    if verify and name in SHA256 and dims[0] in (60000, 10000):
        if hashlib.sha256(raw).hexdigest() != SHA256[name]:
            raise DataError(
                _(
                    "{path}: content differs from MNIST's (SHA-256); download it again"
                ).format(path=path)
            )
    return np.frombuffer(raw, np.uint8, offset=header).reshape(dims)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed if it is a .gz."""
    try:
        return (
            gzip.decompress(path.read_bytes())
            if path.suffix == ".gz"
            else path.read_bytes()
        )
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(
            _("{path}: not a readable gzip file ({error}); download it again").format(
                path=path, error=e
            )
        ) from None


def _dims(path: Path, raw: bytes, ndim: int) -> tuple[tuple[int, ...], int]:
    """The dimensions an IDX header declares, and the header's length in bytes."""
    if len(raw) < 4 or raw[:3] != b"\x00\x00\x08" or raw[3] != ndim:
        raise DataError(
            _(
                "{path}: wrong magic number {found} (expected 000008{ndim:02x}); "
                "is this an MNIST IDX file?"
            ).format(path=path, found=raw[:4].hex() or _("none"), ndim=ndim)
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(
            _("{path}: truncated header; download it again").format(path=path)
        )
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if ndim == 3 and dims[1:] != (28, 28):
        raise DataError(
            _("{path}: images are {rows}x{cols}, expected 28x28").format(
                path=path, rows=dims[1], cols=dims[2]
            )
        )
    return dims, header


def _read_npz(path: Path) -> dict:
    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in FILES}
    except (OSError, ValueError, KeyError, zlib.error) as e:
        raise DataError(
            _("{path}: not a Keras mnist.npz ({error}); {how_to_fix}").format(
                path=path, error=e, how_to_fix=as_shown(HOW_TO_FIX)
            )
        ) from None


def _load_keras() -> Mnist:
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as e:  # urllib, hash and file errors all mean the same to a user
        raise DataError(
            _(
                "could not download MNIST through Keras ({kind}: {error}); "
                "without internet, set {env} to a folder holding the four MNIST files"
            ).format(kind=type(e).__name__, error=e, env=ENV)
        ) from None
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return _from_arrays(arrays, "keras.datasets.mnist")


def _from_arrays(a: dict, source: str) -> Mnist:
    for split in ("train", "test"):
        x, y = a[f"x_{split}"], a[f"y_{split}"]
        if len(x) != len(y):
            raise DataError(
                _("{source}: {images} {split} images but {labels} labels").format(
                    source=source, images=len(x), split=split, labels=len(y)
                )
            )
        if y.size and y.max() > 9:
            raise DataError(
                _("{source}: {split} labels outside 0-9; download it again").format(
                    source=source, split=split
                )
            )
    return Mnist(
        *(
            (a[k].reshape(len(a[k]), -1) / np.float32(255)).astype(np.float32)
            if k.startswith("x")
            else a[k].astype(np.int32)
            for k in FILES
        ),
        source=source,
    )
