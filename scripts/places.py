"""Where make results keeps things: the saved results, the figures, the pages,
the labs of each section (from the registry), and how a lab is named and run.
scripts/staleness.py, scripts/render.py and scripts/results.py share them."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dnnlab import files, registry  # noqa: E402

SAVED = ROOT / "docs/results"  # the numbers behind the page, committed
FIGURES = ROOT / "docs/figures"
LOGS = ROOT / "logs/results"  # the runs themselves, not committed
CACHE = ROOT / ".cache/digests"  # probes of committed code, per machine
HERE = CACHE / "working-tree.json"  # the last probe of the working tree
PAGE, README = ROOT / "RESULTS.md", ROOT / "README.md"
# Each section's labs in order -> make target, from the one list of labs.
LABS = {lab.path: lab.target for lab in registry.section("lecture")}
BOOK = {lab.path: lab.target for lab in registry.section("textbook")}
NAIVE = "DNN_gradient_descent"  # where the book's optimizer_compare_naive.py runs
PROGRAMS = {  # the book's nine chapter-6 programs, in its order -> the lab running it
    "optimizer_compare_naive": NAIVE,
    **{lab.split("/")[-1]: lab for lab in BOOK},
}
PAPERS = {lab.path: lab.target for lab in registry.section("papers")}
TARGETS = {**LABS, **BOOK, **PAPERS}
README_START, README_END = "<!-- lab table: scripts/results.py -->", "<!-- end -->"


def stem(lab: str) -> str:
    """The lab's name: its run folder under logs/, its saved file and figures."""
    return Path(lab).name


def remedy(path: Path) -> str:
    return f"restore it (git checkout {path}) or rerun the lab"


def read_json(path: Path) -> dict:
    return files.read_json(path, remedy(path))


def command(lab: str, seeds: int) -> list[str]:
    """How make results runs a lab (but where its logs go)."""
    declared = registry.BY_PATH[lab].declaration()
    quiet = ["--no-tensorboard"] if declared.net else []  # a lab of no net logs none
    # A lab may declare its own number of seeds (repetitions) in its results' run.
    seeding = [] if "--seeds" in declared.results else ["--seeds", str(seeds)]
    return [f"labs/{lab}.py", *seeding, *quiet, *declared.results]
