"""make bench: dnnlab's training speed against plain Keras and the hardware floor.

Measures, in one run, on the five-hidden-layer lab's model at batch 100:
  - seconds per epoch of dnnlab.train() (as the lab runs it), of the same model
    trained the way the TensorFlow tutorials write it (model.fit on NumPy arrays,
    Keras defaults), of dnnlab.train() with XLA forced on, and (TensorFlow) of
    dnnlab.train() with Keras 3's own Adam instead of the fused kernel; the variants
    alternate, each epoch time is the median of a run's epochs after the first,
    and each figure the median over --reps runs;
  - the floor: the epoch's matrix-multiply FLOPs (forward and backward) divided by
    the peak matmul rate measured here;
  - the whole call, model built to test set evaluated (3 epochs, validation each
    epoch, TensorBoard with histograms): dnnlab.train() against the same work written
    as the TensorFlow TensorBoard tutorial does it, alternating, medians of
    --whole-reps (5) calls, each listed;
    On JAX the tutorial also runs as it is written, on TensorFlow (a child process
    per run, one warm-up call first), which is what JAX is held against;
  - time from process start to the end of the first training step, against a bare
    `python -c "import keras"` (the floor of any Keras program); time to 98 % test
    accuracy, peak memory; on a GPU also mixed precision against float32;
  - `make labs`, the seven exercises of the slides with their defaults, once.
It reports and writes BENCHMARKS.md; it never fails on a slow number.

Run: make bench   (or: python bench/bench.py [--reps 3] [--epochs 4] [--no-labs])
On JAX: KERAS_BACKEND=jax python bench/bench.py   (TensorBoard off there)
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import io
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LAB = ROOT / "labs" / "DNN_deep_hidden_layer5.py"
TARGET = 0.98  # test accuracy for "time to 98 %"
TUTORIAL = "the TensorBoard tutorial's Keras"
TUTORIAL_TF = TUTORIAL + " on TensorFlow"
KERAS_ADAM = "dnnlab.train(), Keras' own Adam"
LABS_LIMIT = 300.0  # seconds: `make labs` within 5 minutes on 2 cores


def lab_config():
    """The five-layer lab's own Config: one source of truth for the benchmarked net."""
    spec = importlib.util.spec_from_file_location("lab", LAB)
    lab = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lab)
    return lab.config


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=3, help="runs per variant (median)")
    p.add_argument("--epochs", type=int, default=4, help="epochs per timed run")
    p.add_argument(
        "--whole-reps", type=int, default=5, help="whole calls per variant (median)"
    )
    p.add_argument("--mixed", action="store_true", help="check mixed precision on CPU")
    p.add_argument("--no-labs", action="store_true", help="skip timing `make labs`")
    p.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    p.add_argument("--first-step", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--tutorial-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.first_step:
        return first_step()
    if args.tutorial_child:
        return tutorial_child()

    import keras

    import dnnlab
    from dnnlab import device

    backend, names = device.devices()
    gpu = any(n.startswith("GPU") for n in names)
    tb = device.tensorboard_available()
    data = dnnlab.load_mnist()
    config = dataclasses.replace(lab_config(), tensorboard=tb)
    (x, _), _ = data.split(config.validation_split, config.limit)
    floor = epoch_flops(config, len(x)) / peak_matmul(keras)
    print(f"floor: {floor:.3f} s per epoch", flush=True)

    variants = {
        "dnnlab.train()": lambda: time_dnnlab(config, data, args.epochs),
        "plain Keras (tutorial)": lambda: time_baseline(config, data, args.epochs),
        "dnnlab.train(), XLA on": lambda: time_dnnlab(
            config, data, args.epochs, jit=True
        ),
        KERAS_ADAM: lambda: time_dnnlab(config, data, args.epochs, keras_adam=True),
    }
    if backend == "jax":  # JAX always compiles with XLA, and fuses Adam's updates
        del variants["dnnlab.train(), XLA on"], variants[KERAS_ADAM]
    times = {k: [] for k in variants}
    for rep in range(args.reps):  # alternate, so that drift hits every variant alike
        for name, run in variants.items():
            times[name].append(run())
            print(f"rep {rep + 1}: {name}: {times[name][-1]:.3f} s/epoch", flush=True)
    epoch = {k: statistics.median(v) for k, v in times.items()}

    wholes = {"dnnlab.train()": [], TUTORIAL: []}
    if backend != "tensorflow":
        wholes[TUTORIAL_TF] = []
    for rep in range(args.whole_reps):  # the noisiest figure: more reps
        wholes["dnnlab.train()"].append(whole_dnnlab(config, data, 3))
        wholes[TUTORIAL].append(whole_tutorial(config, data, 3))
        if TUTORIAL_TF in wholes:
            wholes[TUTORIAL_TF].append(tutorial_on_tensorflow())
        print(
            f"rep {rep + 1}: whole call "
            + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in wholes.items()),
            flush=True,
        )
    whole = {k: statistics.median(v) for k, v in wholes.items()}

    start = statistics.median(first_step_time() for _ in range(args.reps))
    bare = statistics.median(import_keras_time() for _ in range(args.reps))
    print(f"start to first step: {start:.2f} s; import keras {bare:.2f} s", flush=True)
    t98, acc = time_to(config, data, TARGET)
    mixed = None
    if gpu or args.mixed:
        mixed = time_to(dataclasses.replace(config, mixed_precision=True), data, TARGET)
    peak = peak_memory(keras, gpu)
    labs = None if args.no_labs else make_labs()

    ours, base = epoch["dnnlab.train()"], epoch["plain Keras (tutorial)"]
    epoch["floor (FLOPs / peak matmul)"] = floor
    rows = [
        (k, f"{v:.3f}", f"{v / base:.2f}", f"{v / floor:.1f}") for k, v in epoch.items()
    ]
    runs = "; ".join(
        f"{k}: " + ", ".join(f"{t:.2f}" for t in v) for k, v in times.items()
    )
    lines = [
        f"## {backend}, {', '.join(names)}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, "
        f"Keras {keras.__version__}, {backend_version(backend)}. Date: {date.today()}.",
        f"Command: `{command(args)}`. Net: {LAB.name} "
        f"(784 → {' → '.join(map(str, config.hidden_units))} → 10, "
        f"{config.optimizer}, dropout {config.dropout}), batch {config.batch_size}, "
        f"{len(x)} training images; "
        f"TensorBoard {'on' if tb else 'off (no TensorFlow)'}.",
        "",
        "| seconds per epoch | median | × plain Keras | × floor |",
        "|---|---:|---:|---:|",
        *(f"| {' | '.join(r)} |" for r in rows),
        "",
        f"Every run (s/epoch): {runs}.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| whole call, 3 epochs (build to test evaluation), dnnlab.train() | "
        f"{whole['dnnlab.train()']:.2f} s |",
        f"| the same work as the TensorBoard tutorial writes it | "
        f"{whole[TUTORIAL]:.2f} s |",
        *(
            [f"| the same, on TensorFlow | {whole[TUTORIAL_TF]:.2f} s |"]
            if TUTORIAL_TF in whole
            else []
        ),
        f"| process start to end of the first training step, median of {args.reps} "
        f"| {start:.2f} s |",
        f"| bare `python -c 'import keras'`, median of {args.reps} | {bare:.2f} s |",
        f"| training time to {TARGET:.0%} test accuracy (lab defaults) | "
        + (f"{t98:.1f} s" if t98 else "not reached")
        + f" (final {acc:.2%}) |",
        f"| peak memory | {peak} |",
    ]
    if labs is not None:
        lines.append(
            f"| `make labs` (the seven slide labs, defaults), once | {labs:.0f} s |"
        )
    if mixed:
        lines.append(
            f"| mixed precision: time to {TARGET:.0%}, final test accuracy | "
            + (f"{mixed[0]:.1f} s" if mixed[0] else "not reached")
            + f", {mixed[1]:.2%} (float32: {acc:.2%}) |"
        )
    lines += [
        "",
        "Every whole call (s), in the order run: "
        + "; ".join(
            f"{k}: " + ", ".join(f"{t:.2f}" for t in v) for k, v in wholes.items()
        )
        + ".",
    ]
    ratio = whole["dnnlab.train()"] / whole[TUTORIAL]
    targets = [("whole call ≤ 0.6 × the tutorial's", ratio <= 0.6, f"{ratio:.2f} ×")]
    if TUTORIAL_TF in whole:
        tf_ratio = whole["dnnlab.train()"] / whole[TUTORIAL_TF]
        targets.append(
            (
                "whole call ≤ 0.5 × the tutorial's on TensorFlow",
                tf_ratio <= 0.5,
                f"{tf_ratio:.2f} ×",
            )
        )
    targets += [
        ("epoch ≤ 0.6 × plain Keras", ours <= 0.6 * base, f"{ours / base:.2f} ×"),
        ("epoch ≤ 1.5 × floor", ours <= 1.5 * floor, f"{ours / floor:.1f} ×"),
        (
            "start to first step ≤ 1.25 × import keras",
            start <= 1.25 * bare,
            f"{start / bare:.2f} ×",
        ),
    ]
    if labs is not None:
        targets.append(("`make labs` ≤ 5 minutes", labs <= LABS_LIMIT, f"{labs:.0f} s"))
    if gpu:
        targets.append(("epoch ≤ 0.1 s on one GPU", ours <= 0.1, f"{ours:.3f} s"))
    lines += ["", "| target | met | measured |", "|---|---|---:|"]
    lines += [f"| {t} | {'yes' if ok else 'no'} | {m} |" for t, ok, m in targets]
    section = "\n".join(lines) + "\n"
    print("\n" + section)
    write_section(Path(args.out), section)
    print(f"wrote {args.out}")


def epoch_flops(config, n: int) -> float:
    """Matmul FLOPs of one epoch: 2·in·out per image forward, twice that backward."""
    sizes = [784, *config.hidden_units, 10]
    return 3 * 2 * sum(a * b for a, b in zip(sizes, sizes[1:], strict=False)) * n


def peak_matmul(keras) -> float:
    """FLOP/s of the best large float32 matmul here (median of 5 per size)."""
    best = 0.0
    for n in (1024, 2048, 4096):
        a = keras.random.normal((n, n), seed=1)
        b = keras.random.normal((n, n), seed=2)
        sync(keras, keras.ops.matmul(a, b))
        ts = []
        for _ in range(5):
            t = time.perf_counter()
            sync(keras, keras.ops.matmul(a, b))
            ts.append(time.perf_counter() - t)
        best = max(best, 2 * n**3 / statistics.median(ts))
    print(f"peak matmul: {best / 1e9:.0f} GFLOP/s", flush=True)
    return best


def sync(keras, x) -> None:
    """Wait for x: JAX dispatches asynchronously."""
    if hasattr(x, "block_until_ready"):
        x.block_until_ready()
    else:
        keras.ops.convert_to_numpy(x[0, 0])


def epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self.start)

        def median(self) -> float:  # the first epoch also traces and compiles
            return statistics.median(self.times[1:] or self.times)

    return EpochTimer()


def time_dnnlab(
    config, data, epochs: int, jit: bool = False, keras_adam: bool = False
) -> float:
    from dnnlab import training

    timer = epoch_timer()
    with tempfile.TemporaryDirectory() as logs, quiet(), unfused(keras_adam):
        cfg = config.replace(epochs=epochs, log_dir=logs, xla=jit)
        training.train(cfg, data, callbacks=[timer])
    return timer.median()


@contextlib.contextmanager
def unfused(on: bool):
    """With on: dnnlab.train() updates with Keras 3's own Adam (about fifteen ops per
    variable) instead of dnnlab's fused kernel: what the fusion saves."""
    import keras

    from dnnlab import training

    fused = training.optimizer

    def keras_adam(config, steps=1):
        return keras.optimizers.Adam.from_config(fused(config, steps).get_config())

    training.optimizer = keras_adam if on else fused
    try:
        yield
    finally:
        training.optimizer = fused


def whole_dnnlab(config, data, epochs: int) -> float:
    """Seconds of one dnnlab.train() call: build, fit, evaluations, logs."""
    from dnnlab import training

    with tempfile.TemporaryDirectory() as logs, quiet():
        start = time.perf_counter()
        training.train(config.replace(epochs=epochs, log_dir=logs), data, verbose=0)
        return time.perf_counter() - start


def tutorial_model(config):
    """The lab's net, compiled as the TensorFlow tutorials do (Keras defaults)."""
    import keras

    from dnnlab import build_model

    keras.utils.set_random_seed(config.seed)
    model = build_model(config)
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def whole_tutorial(config, data, epochs: int) -> float:
    """The same work as the TensorFlow TensorBoard tutorial writes it: fit with
    validation data and TensorBoard(histogram_freq=1), then evaluate the test set."""
    import keras

    from dnnlab.data import one_hot

    (x, y), (x_val, y_val) = data.split(config.validation_split, config.limit)
    with tempfile.TemporaryDirectory() as logs, quiet():
        start = time.perf_counter()
        model = tutorial_model(config)
        callbacks = []
        if config.tensorboard:
            callbacks.append(keras.callbacks.TensorBoard(logs, histogram_freq=1))
        model.fit(
            x,
            one_hot(y),
            batch_size=config.batch_size,
            epochs=epochs,
            validation_data=(x_val, one_hot(y_val)),
            callbacks=callbacks,
            verbose=0,
        )
        model.evaluate(data.x_test, one_hot(data.y_test), verbose=0)
        return time.perf_counter() - start


def tutorial_on_tensorflow() -> float:
    """Seconds of the tutorial's whole call on the TensorFlow backend, in a child
    process: one warm-up call, then the timed one."""
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    out = subprocess.run(
        [sys.executable, __file__, "--tutorial-child"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return float(out.strip().splitlines()[-1])


def tutorial_child() -> None:
    import dnnlab

    data = dnnlab.load_mnist()
    config = dataclasses.replace(lab_config(), tensorboard=True)
    whole_tutorial(config, data, 3)
    print(whole_tutorial(config, data, 3), flush=True)


def make_labs() -> float:
    """Seconds of `make labs` (logs to a temporary folder), on this backend."""
    with tempfile.TemporaryDirectory() as logs:
        start = time.perf_counter()
        subprocess.run(
            ["make", "-s", "labs", f"FLAGS=--log-dir {logs}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
    print(f"make labs: {seconds:.0f} s", flush=True)
    return seconds


def import_keras_time() -> float:
    """Seconds of a fresh `python -c "import keras"`: the floor of any Keras program."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import keras"], check=True, capture_output=True
    )
    return time.perf_counter() - start


def time_baseline(config, data, epochs: int) -> float:
    """The same net, compiled and fitted as the TensorFlow tutorials do."""

    from dnnlab.data import one_hot

    (x, y), (x_val, y_val) = data.split(config.validation_split, config.limit)
    model = tutorial_model(config)
    timer = epoch_timer()
    model.fit(
        x,
        one_hot(y),
        batch_size=config.batch_size,
        epochs=epochs,
        validation_data=(x_val, one_hot(y_val)),
        callbacks=[timer],
        verbose=0,
    )
    return timer.median()


def first_step_time() -> float:
    """Seconds from starting a fresh Python to the end of its first training step."""
    start = time.time()
    out = subprocess.run(
        [sys.executable, __file__, "--first-step"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip().splitlines()[-1]) - start


def first_step() -> None:
    """Child of first_step_time: start as a lab does (flags, data read in a thread
    while Keras loads), train, print the time at the first step's end, exit."""
    from dnnlab.cli import parse
    from dnnlab.data import prefetch

    with tempfile.TemporaryDirectory() as logs:
        flags = parse({"net": lab_config()}, ["--log-dir", logs])
        prefetch()
        from dnnlab.backend import keras
        from dnnlab.training import train

        class Stop(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                print(time.time(), flush=True)
                os._exit(0)

        train(flags.variants["net"], callbacks=[Stop()])


def time_to(config, data, target: float) -> tuple[float | None, float]:
    """(training seconds until test accuracy first reached target, final accuracy)."""
    import keras

    from dnnlab import training
    from dnnlab.data import one_hot

    x_test, t_test = data.x_test, one_hot(data.y_test)

    class TestAccuracy(keras.callbacks.Callback):
        reached = None

        def on_train_begin(self, logs=None):
            self.elapsed, self.start = 0.0, time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.elapsed += time.perf_counter() - self.start
            _, acc = self.model.evaluate(x_test, t_test, batch_size=1000, verbose=0)
            if acc >= target and self.reached is None:
                self.reached = self.elapsed
            self.start = time.perf_counter()  # the test evaluation is not counted

    cb = TestAccuracy()
    with tempfile.TemporaryDirectory() as logs, quiet():
        result = training.train(
            dataclasses.replace(config, log_dir=logs), data, callbacks=[cb]
        )
    print(f"time to {target:.0%}: {cb.reached} s, final {result.test_accuracy:.4f}")
    return cb.reached, result.test_accuracy


def peak_memory(keras, gpu: bool) -> str:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB → GiB
    text = f"{rss:.2f} GiB resident (this process)"
    if gpu and keras.backend.backend() == "jax":
        import jax

        stats = jax.devices()[0].memory_stats() or {}
        if "peak_bytes_in_use" in stats:
            text += f", {stats['peak_bytes_in_use'] / 2**30:.2f} GiB on the GPU"
    return text


@contextlib.contextmanager
def quiet():
    """Hide the progress lines of the timed runs."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def backend_version(backend: str) -> str:
    module = {"tensorflow": "tensorflow", "jax": "jax"}.get(backend)
    if module is None:
        return backend
    return f"{module} {__import__(module).__version__}"


def command(args) -> str:
    env = os.environ.get("KERAS_BACKEND")
    prefix = f"KERAS_BACKEND={env} " if env else ""
    return prefix + "python bench/bench.py " + " ".join(sys.argv[1:])


def write_section(path: Path, section: str) -> None:
    """Replace this machine's section of BENCHMARKS.md, keep the others."""
    head = (
        "# Benchmarks\n\nWritten by `make bench` (bench/bench.py); "
        "one section per machine and backend.\n\n"
    )
    text = path.read_text() if path.is_file() else head
    title = section.splitlines()[0]
    parts = text.split("\n## ")
    kept = [parts[0]] + [s for s in parts[1:] if "## " + s.splitlines()[0] != title]
    from dnnlab import files

    files.write(path, "\n## ".join(kept).rstrip("\n") + "\n\n" + section)


if __name__ == "__main__":
    main()
