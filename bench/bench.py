"""make bench: what a student waits for, dnnlab against the tutorial's Keras.

One measurement, taken the way a student pays it: a timed program is started as a
fresh process and timed from its start to its exit (imports, reading MNIST,
compilation and the process's exit included). The programs:
  - tutorial.py: the TensorBoard tutorial's Keras program on the five-layer lab's
    net (3 epochs, validation each epoch, histograms, the test set once);
  - dnnlab_train.py: the same work through dnnlab.train(), as the lab runs it
    (with --plain-keras: without dnnlab's speed-ups).
Each runs on TensorFlow and, where JAX is installed, on JAX; dnnlab on JAX twice,
with JAX's persistent compilation cache cold (an empty folder each run) and warm
(a folder filled by one untimed run first). The variants alternate, --reps rounds,
so that drift hits every one alike; every figure is the median over the rounds.
From the same processes, their own clocks (clock.py): the call (model built to
test evaluated), start to the end of the first training step, seconds per epoch
(the median of the epochs after the first, which compiles), peak memory.
Beside them: a bare `python -c "import keras"` (the floor of any Keras program)
and the matmul floor of an epoch (its FLOPs over NumPy's fastest float32 matmul
here). How long `make labs` takes is `make timings`' (the README).
It writes BENCHMARKS.md (this machine's and backend's section) and never fails on
a slow number.

Run: make bench   (or: python bench/bench.py [--reps 3])
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent
SIZES = (784, 256, 256, 256, 256, 256, 10)  # the five-layer lab's net
TRAINING_IMAGES = 54000  # MNIST's 60000 less the 10 % validation split
TUTORIAL_TF = "tutorial, TensorFlow"
WARM = "dnnlab.train(), JAX, cache warm"
COLD = "dnnlab.train(), JAX, cache cold"


@dataclass
class Variant:
    """One timed program on one backend, and what its runs measured."""

    name: str
    program: str  # a file in bench/, with its arguments
    backend: str
    cache: str = ""  # JAX's compilation cache: "cold", "warm" or "" (Keras' own)
    runs: list[dict] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(run[key] for run in self.runs)


def variants() -> list[Variant]:
    out = [
        Variant(TUTORIAL_TF, "tutorial.py", "tensorflow"),
        Variant("dnnlab.train(), TensorFlow", "dnnlab_train.py", "tensorflow"),
        Variant(
            "dnnlab.train() --plain-keras, TensorFlow",
            "dnnlab_train.py --plain-keras",
            "tensorflow",
        ),
    ]
    if find_spec("jax"):
        out += [
            Variant("tutorial, JAX", "tutorial.py", "jax"),
            Variant(COLD, "dnnlab_train.py", "jax", "cold"),
            Variant(WARM, "dnnlab_train.py", "jax", "warm"),
        ]
    return out


def fresh_process(variant: Variant, cache_dir: str | None) -> dict:
    """Run the variant's program in a new Python; its JSON line, plus `wall`
    (start to exit) and `start_to_step` (start to the first step's end)."""
    env = {**os.environ, "KERAS_BACKEND": variant.backend}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    if cache_dir:
        env["JAX_COMPILATION_CACHE_DIR"] = cache_dir
    program, *args = variant.program.split()
    start = time.time()
    out = subprocess.run(
        [sys.executable, str(HERE / program), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    wall = time.time() - start
    if out.returncode:
        sys.exit(f"bench: {variant.program} failed:\n{out.stderr[-2000:]}")
    run = json.loads(out.stdout.strip().splitlines()[-1])
    run.update(wall=wall, start_to_step=run["first_step"] - start)
    run["epoch"] = statistics.median(run["epochs"][1:])
    return run


def measure(rounds: int, chosen: list[Variant], tmp: str) -> None:
    """Every variant once per round, in turn; a cold cache is a new folder each run,
    a warm one the folder an untimed first run filled."""
    warm = os.path.join(tmp, "warm")
    for v in chosen:
        if v.cache == "warm":
            fresh_process(v, warm)
    for i in range(rounds):
        for v in chosen:
            cache = {"warm": warm, "cold": tempfile.mkdtemp(dir=tmp)}.get(v.cache)
            v.runs.append(fresh_process(v, cache))
            print(f"round {i + 1}: {v.name}: {v.runs[-1]['wall']:.1f} s", flush=True)


def bare_import(backend: str, rounds: int) -> float:
    """Median seconds of a fresh `python -c "import keras"`."""
    env = {**os.environ, "KERAS_BACKEND": backend}
    times = []
    for _ in range(rounds):
        start = time.time()
        subprocess.run(
            [sys.executable, "-c", "import keras"],
            env=env,
            check=True,
            capture_output=True,
        )
        times.append(time.time() - start)
    return statistics.median(times)


def floor() -> tuple[float, float]:
    """(seconds, GFLOP/s): an epoch's matmul FLOPs (2·in·out per image forward,
    twice that backward) over the fastest float32 matmul of NumPy here."""
    rate = 0.0
    for n in (1024, 2048):
        a, b = np.ones((n, n), np.float32), np.ones((n, n), np.float32)
        a @ b
        for _ in range(10):  # the peak: the fastest of ten
            t = time.perf_counter()
            a @ b
            rate = max(rate, 2 * n**3 / (time.perf_counter() - t))
    weights = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True))
    flops = 3 * 2 * weights * TRAINING_IMAGES
    return flops / rate, rate / 1e9


def table(chosen: list[Variant]) -> list[str]:
    tut = next(v for v in chosen if v.name == TUTORIAL_TF).median("wall")
    rows = [
        "| fresh process, median | start to exit | × tutorial on TF | the call "
        "| start to 1st step | s/epoch | memory |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for v in chosen:
        rows.append(
            f"| {v.name} | {v.median('wall'):.1f} s | {v.median('wall') / tut:.2f} × "
            f"| {v.median('call'):.1f} s | {v.median('start_to_step'):.1f} s "
            f"| {v.median('epoch'):.2f} | {v.median('rss_gib'):.2f} GiB |"
        )
    runs = "; ".join(
        f"{v.name}: " + ", ".join(f"{r['wall']:.1f}" for r in v.runs) for v in chosen
    )
    return [*rows, "", f"Every run, start to exit (s), in the order run: {runs}."]


def targets(chosen: list[Variant], imports: dict, floor_s: float) -> list[str]:
    by = {v.name: v for v in chosen}
    tut = by[TUTORIAL_TF]
    ours = by["dnnlab.train(), TensorFlow"]
    rows = []
    if WARM in by:
        r = by[WARM].median("wall") / tut.median("wall")
        c = by[COLD].median("wall") / tut.median("wall")
        rows.append(
            (
                "JAX, cache warm: start to exit ≤ 0.6 × the tutorial on TensorFlow",
                r <= 0.6,
                f"{r:.2f} × (cold: {c:.2f} ×)",
            )
        )
        e = by[WARM].median("epoch") / floor_s
        rows.append(("JAX: s/epoch ≤ 1.5 × floor", e <= 1.5, f"{e:.1f} ×"))
    r = ours.median("call") / tut.median("call")
    rows.append(("TensorFlow: the call ≤ 0.6 × the tutorial's", r <= 0.6, f"{r:.2f} ×"))
    r = ours.median("start_to_step") / imports["tensorflow"]
    rows.append(
        ("TensorFlow: start to 1st step ≤ 1.25 × import keras", r <= 1.25, f"{r:.2f} ×")
    )
    lines = ["| target | met | measured |", "|---|---|---:|"]
    return lines + [f"| {t} | {'yes' if ok else 'no'} | {m} |" for t, ok, m in rows]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    avx = "with" if "avx512f" in Path("/proc/cpuinfo").read_text() else "without"
    libs = ", ".join(
        f"{m} {version(m)}" for m in ("keras", "tensorflow", "jax") if find_spec(m)
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {avx} AVX-512, no GPU; "
        f"Python {platform.python_version()}, {libs}"
    )


def write_section(path: Path, section: str) -> None:
    """Replace this machine's section of BENCHMARKS.md, keep the others."""
    from dnnlab import files

    head = (
        "# Benchmarks\n\nWritten by `make bench` (bench/bench.py), one section per "
        "machine. Each program (bench/tutorial.py, bench/dnnlab_train.py) runs in a "
        "fresh process, timed from its start to its exit as a student pays it: "
        "imports, MNIST, compilation and exit included. *The call*: the model built "
        "to the test set evaluated, by the process's own clock; *s/epoch*: the "
        "median of the epochs after the first (which compiles), validation and "
        "TensorBoard included; *memory*: the process's peak resident size.\n\n"
    )
    text = path.read_text() if path.is_file() else head
    title = section.splitlines()[0]
    parts = text.split("\n## ")
    kept = [parts[0]] + [s for s in parts[1:] if "## " + s.splitlines()[0] != title]
    files.write(path, "\n## ".join(kept).rstrip("\n") + "\n\n" + section)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=3, help="rounds of every variant")
    p.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    args = p.parse_args()
    chosen = variants()
    with tempfile.TemporaryDirectory() as tmp:
        measure(args.reps, chosen, tmp)
    imports = {
        b: bare_import(b, args.reps) for b in sorted({v.backend for v in chosen})
    }
    floor_s, gflops = floor()
    section = "\n".join(
        [
            f"## {machine()}",
            "",
            f"Command: `{' '.join(['python bench/bench.py', *sys.argv[1:]])}`, "
            f"{date.today()}. The net: 784 → 5 × 256 → 10, batch 100, 3 epochs, "
            f"{TRAINING_IMAGES} training images, TensorBoard on.",
            "",
            *table(chosen),
            "",
            "Bare `python -c 'import keras'`, median: "
            + ", ".join(f"{b} {t:.1f} s" for b, t in imports.items())
            + f". Matmul floor of an epoch: {floor_s:.2f} s ({gflops:.0f} GFLOP/s).",
            "",
            *targets(chosen, imports, floor_s),
        ]
    )
    print("\n" + section)
    write_section(Path(args.out), section + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
