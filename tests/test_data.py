import gzip
from pathlib import Path

import numpy as np
import pytest

from dnnlab import DataError, load_mnist
from dnnlab.data import FILES, prefetch, read_idx


def idx(array: np.ndarray, magic_ndim: int | None = None) -> bytes:
    """An IDX file of unsigned bytes: magic 0x0000 08 <ndim>, big-endian dims, data."""
    ndim = array.ndim if magic_ndim is None else magic_ndim
    dims = b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return b"\x00\x00\x08" + bytes([ndim]) + dims + array.astype(np.uint8).tobytes()


def write_set(folder: Path, n_train=30, n_test=10, gz=True, **override) -> Path:
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28)),
        "y_train": rng.integers(0, 10, n_train),
        "x_test": rng.integers(0, 256, (n_test, 28, 28)),
        "y_test": rng.integers(0, 10, n_test),
    }
    folder.mkdir(exist_ok=True)
    for field, name in FILES.items():
        data = override.get(field, idx(arrays[field]))
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("gz", [True, False])
def test_small_idx_set_loads(tmp_path, gz):
    data = load_mnist(write_set(tmp_path / "m", gz=gz))
    assert data.x_train.shape == (30, 784) and data.x_train.dtype == np.float32
    assert 0.0 <= data.x_train.min() and data.x_train.max() <= 1.0
    assert data.y_test.shape == (10,) and data.y_test.dtype == np.int32


def test_env_variable_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DNNLAB_DATA_DIR", str(write_set(tmp_path / "env")))
    assert load_mnist().x_train.shape == (30, 784)


def test_keras_npz(tmp_path):
    rng = np.random.default_rng(1)
    folder = tmp_path / "npz"
    folder.mkdir()
    np.savez(
        folder / "mnist.npz",
        x_train=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, 20, dtype=np.uint8),
        x_test=rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 5, dtype=np.uint8),
    )
    data = load_mnist(folder)
    assert data.x_train.shape == (20, 784) and len(data.y_test) == 5


def test_wrong_magic(tmp_path):
    bad = idx(np.zeros(30), magic_ndim=3)  # labels file that claims three dimensions
    with pytest.raises(
        DataError, match=r"train-labels-idx1-ubyte.gz: wrong magic number"
    ):
        load_mnist(write_set(tmp_path / "m", y_train=bad))


def test_not_an_idx_file(tmp_path):
    with pytest.raises(DataError, match="wrong magic number"):
        load_mnist(write_set(tmp_path / "m", x_test=b"<html>404 Not Found</html>"))


def test_truncated_records(tmp_path):
    cut = idx(np.zeros((30, 28, 28)))[:-100]
    with pytest.raises(
        DataError, match=r"header promises 30 records .* download it again"
    ):
        load_mnist(write_set(tmp_path / "m", x_train=cut))


def test_truncated_gzip(tmp_path):
    folder = write_set(tmp_path / "m")
    path = folder / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(
        DataError, match=r"t10k-images-idx3-ubyte.gz: not a readable gzip"
    ):
        load_mnist(folder)


def test_image_and_label_counts_disagree(tmp_path):
    labels = idx(np.zeros(29))
    with pytest.raises(DataError, match="30 train images but 29 labels"):
        load_mnist(write_set(tmp_path / "m", y_train=labels))


def test_wrong_image_size(tmp_path):
    with pytest.raises(DataError, match="images are 32x32"):
        load_mnist(write_set(tmp_path / "m", x_test=idx(np.zeros((10, 32, 32)))))


def test_missing_file_and_folder(tmp_path):
    folder = write_set(tmp_path / "m")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(
        DataError, match=r"t10k-labels-idx1-ubyte.gz: missing; .*DNNLAB_DATA_DIR"
    ):
        load_mnist(folder)
    with pytest.raises(DataError, match="no such folder"):
        load_mnist(tmp_path / "nowhere")


def test_full_size_file_with_wrong_content_is_refused(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(idx(np.zeros(10000)))
    with pytest.raises(DataError, match="differs from MNIST's"):
        read_idx(path, ndim=1, verify=True)
    assert read_idx(path, ndim=1, verify=False).shape == (10000,)


def test_split_takes_validation_from_the_end_of_training(tmp_path):
    data = load_mnist(write_set(tmp_path / "m", n_train=100))
    (x, y), (xv, yv) = data.split(0.1)
    assert len(x) == 90 and len(xv) == 10
    np.testing.assert_array_equal(xv, data.x_train[90:])
    (x, _), (xv, _) = data.split(0.1, limit=20)
    assert len(x) == 20 and len(xv) == 10


def test_real_mnist_facts(mnist):
    assert mnist.x_train.shape == (60000, 784) and mnist.x_test.shape == (10000, 784)
    assert list(mnist.y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(np.bincount(mnist.y_train)) == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert float(mnist.x_train.mean()) == pytest.approx(0.1307, abs=1e-4)


def test_failed_download_says_how_to_work_offline(monkeypatch):
    import keras

    def offline():
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.delenv("DNNLAB_DATA_DIR", raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(
        DataError,
        match="could not download MNIST through Keras .*"
        "without internet, set DNNLAB_DATA_DIR",
    ):
        load_mnist()


def test_prefetch_reads_in_the_background_and_load_reports_its_error(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("DNNLAB_DATA_DIR", str(write_set(tmp_path / "good")))
    prefetch()
    assert load_mnist().x_train.shape == (30, 784)
    broken = write_set(tmp_path / "broken", x_test=b"not an idx file")
    monkeypatch.setenv("DNNLAB_DATA_DIR", str(broken))
    prefetch()  # fails in its thread; the error comes from the next load
    with pytest.raises(DataError, match="wrong magic number"):
        load_mnist()
