"""make timings: how long the seven labs of `make labs` take as a student runs them.

Each lab runs with its defaults in a fresh process (`python labs/<lab>.py`: imports,
data loading, compilation, TensorBoard logs and figures included) into a temporary
log folder, one after the other, timed by the wall clock. The times, the machine and
the commit go to docs/results/timings.json and the README's timing table.

Usage: python scripts/timings.py [--check]  (--check: rewrite the README from the
saved file without running anything)
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import staleness  # noqa: E402

from dnnlab import files, registry  # noqa: E402

SAVED = ROOT / "docs/results/timings.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- timings: scripts/timings.py -->", "<!-- end timings -->"


def make_labs() -> list[str]:
    """The labs `make labs` runs, in its order (dnnlab/registry.py)."""
    return [lab.path for lab in registry.group("labs")]


def machine() -> str:
    model, flags = staleness.cpu()
    avx512 = "with" if "avx512f" in flags else "without"
    return f"{model} ({avx512} AVX-512), {os.cpu_count()} cores"


def commit() -> str:
    dirty = staleness.git("status", "--porcelain", "labs", "dnnlab")
    head = staleness.git("rev-parse", "--short=7", "HEAD")
    return head + (" + uncommitted changes" if dirty else "")


def run() -> dict:
    seconds = {}
    with tempfile.TemporaryDirectory() as logs:
        for lab in make_labs():
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, str(ROOT / "labs" / f"{lab}.py"), "--log-dir", logs],
                capture_output=True,
                text=True,
            )
            seconds[lab] = round(time.perf_counter() - start, 1)
            if done.returncode:
                shown = (done.stdout + done.stderr)[-3000:]
                sys.exit(f"timings: {lab} failed:\n{shown}")
            print(f"{lab}: {seconds[lab]:.1f} s", flush=True)
    return {
        "machine": machine(),
        "python": sys.version.split()[0],
        "commit": commit(),
        "date": datetime.date.today().isoformat(),
        "seconds": seconds,
    }


def block(saved: dict) -> str:
    total = sum(saved["seconds"].values())
    rows = "\n".join(f"| `{lab}` | {s:.0f} s |" for lab, s in saved["seconds"].items())
    return (
        f"{BEGIN}\n"
        f"How long `make labs` takes: {total / 60:.1f} min on {saved['machine']}\n"
        f"(no GPU; Python {saved['python']}, commit {saved['commit']}, "
        f"{saved['date']}), each lab with its\n"
        "defaults in a fresh process, imports and compilation included "
        "(`make timings` measures\nyours; machines differ up to 3× in speed, "
        "AVX-512 or not among others).\n\n"
        f"| lab | wall time |\n|---|---|\n{rows}\n"
        f"{END}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="rewrite the README only")
    args = parser.parse_args()
    if not args.check:
        files.write_json(SAVED, run())
    saved = files.read_json(SAVED, "run scripts/timings.py without --check")
    text = README.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    files.write(README, text[:start] + block(saved) + text[end:])
    print(f"wrote {README.name}'s timing table from {SAVED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
