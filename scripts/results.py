"""make results: the lecture's labs, the textbook's (labs/textbook/) and the papers'
(labs/papers/) under 3 seeds where their saved results are stale, then the figures,
RESULTS.md and the README's lab table from each lab's saved numbers and own claim.

A lab's saved results, docs/results/<name>.json, are its results.json plus the wall
time, the command, a hash of the bytes that made them (the lab and the dnnlab
package) and the commit holding those bytes. They are stale when the numbers the lab
would produce changed, not when a byte did: the lab's code at that commit and in
the working tree are each probed by scripts/digest.py (a few training steps of each
set-up, its extras and its own fit) on this machine, and their digests compared.
Figures are drawn from the saved numbers by the figures' code of now (--render).
This file runs the labs; scripts/staleness.py judges what is stale,
scripts/render.py draws and writes the pages, scripts/places.py says where things
are.

Usage: python scripts/results.py [--stale | --render] [--seeds 3] [LAB ...]
(LAB as a path under labs/ without .py, e.g. DNN_softmax or textbook/batch_norm_test)
"""

from __future__ import annotations

import argparse
import datetime
import subprocess
import sys
import time

import places
from places import (  # noqa: F401
    BOOK,
    LABS,
    README_END,
    README_START,
    ROOT,
    TARGETS,
    command,
    read_json,
    stem,
)
from render import render
from staleness import code_hash, git, staleness

from dnnlab import files


def run(lab: str, seeds: int) -> None:
    """Run the lab; keep its results.json under docs/results, with the code hash and,
    when that code is committed, the commit."""
    cmd = command(lab, seeds)
    print(f"--- python {' '.join(cmd)}", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *cmd, "--log-dir", str(places.LOGS)],
        cwd=places.ROOT,
        check=True,
    )
    wall = time.perf_counter() - started
    run_dir = max((places.LOGS / stem(lab)).iterdir())
    saved = read_json(run_dir / "results.json")
    head, code = git("rev-parse", "HEAD"), code_hash(lab)
    saved.update(
        wall=wall,
        command="python " + " ".join(cmd),
        code=code,
        commit=head if head and code_hash(lab, head) == code else None,
        date=datetime.date.today().isoformat(),
    )
    places.SAVED.mkdir(parents=True, exist_ok=True)
    files.write_json(places.SAVED / f"{stem(lab)}.json", saved)


def main(argv=None) -> None:
    try:
        _main(argv)
    except files.FileProblem as e:
        sys.exit(f"results.py: {e}")


def _main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("labs", nargs="*", help="labs to bring up to date (default: all)")
    p.add_argument(
        "--render", action="store_true", help="only redraw the figures and pages"
    )
    p.add_argument(
        "--stale", action="store_true", help="list the stale labs and why; run nothing"
    )
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args(argv)
    for lab in args.labs:
        if lab not in TARGETS:
            p.error(f"unknown lab {lab!r}; one of: " + ", ".join(TARGETS))
    labs = args.labs or list(TARGETS)
    if args.stale:
        for lab, (stale, why) in staleness(labs).items():
            print(f"{'stale' if stale else 'fresh'}  {lab}: {why}")
        return
    if not args.render:
        why = dict.fromkeys(labs, (True, "asked for")) if args.labs else staleness(labs)
        for lab in labs:
            stale, reason = why[lab]
            print(f"--- {lab}: {reason}" + ("" if stale else ", kept"), flush=True)
            if stale:
                run(lab, args.seeds)
    render([lab for lab in TARGETS if (places.SAVED / f"{stem(lab)}.json").is_file()])


if __name__ == "__main__":
    main()
