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

Usage: python scripts/results.py [--stale | --render] [--seeds 3] [LAB ...]
(LAB as a path under labs/ without .py, e.g. DNN_softmax or textbook/batch_norm_test)
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dnnlab import files, registry  # noqa: E402
from dnnlab.claims import Claim, pct  # noqa: E402
from dnnlab.lab import Lab, load, table  # noqa: E402

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


def code_hash(lab: str, commit: str | None = None) -> str | None:
    """A hash of the bytes a lab runs (its file and the dnnlab package), in the
    working tree or at a commit (None if the lab is not in it)."""
    if commit is None:
        package = (str(p.relative_to(ROOT)) for p in (ROOT / "dnnlab").rglob("*.py"))
    else:
        package = git("ls-tree", "-r", "--name-only", commit, "dnnlab").split()
    parts = []
    for f in [f"labs/{lab}.py", *sorted(f for f in package if f.endswith(".py"))]:
        if commit is None:
            parts.append((ROOT / f).read_bytes())
            continue
        shown = subprocess.run(
            ["git", "show", f"{commit}:{f}"], cwd=ROOT, capture_output=True
        )
        if shown.returncode:
            return None
        parts.append(shown.stdout)
    return hashlib.sha256(b"".join(parts)).hexdigest()[:16]


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def made_by(lab: str, saved: dict) -> str | None:
    """The commit whose code made the saved results: the one they record, else the
    newest commit whose lab and package bytes hash to their code hash."""
    recorded = saved.get("commit")
    if recorded and code_hash(lab, recorded) == saved.get("code"):
        return recorded
    for commit in git("rev-list", "HEAD", "--", "labs", "dnnlab").split():
        if code_hash(lab, commit) == saved.get("code"):
            return commit
    return None


def command(lab: str, seeds: int) -> list[str]:
    """How make results runs a lab (but where its logs go)."""
    return [
        f"labs/{lab}.py",
        "--seeds",
        str(seeds),
        "--no-tensorboard",
        *registry.BY_PATH[lab].declaration().results,
    ]


def staleness(labs: list[str]) -> dict[str, tuple[bool, str]]:
    """Per lab, (stale, why); fresh when its saved results are what its
    code would produce now: the same bytes as the code that made them, or the same
    numbers when both are probed (scripts/digest.py) side by side on this machine,
    the code at the commit that made them and the code here."""
    why, probe = {}, {}
    for lab in labs:
        path = SAVED / f"{stem(lab)}.json"
        if not path.is_file():
            why[lab] = True, "no saved results"
            continue
        saved = read_json(path)
        if saved.get("command") != "python " + " ".join(command(lab, saved["seeds"])):
            why[lab] = True, "its command changed"
        elif code_hash(lab) == saved.get("code"):
            why[lab] = False, "the same bytes as the code that made them"
        elif (commit := made_by(lab, saved)) is None:
            why[lab] = True, "the code that made them is in no commit of this clone"
        else:
            probe[lab] = commit
    for lab, (before, now) in digests(probe).items():
        changed = compare(before, now, probe[lab])
        why[lab] = (
            (True, changed)
            if changed
            else (False, "the same numbers as " + probe[lab][:7])
        )
    return why


def compare(before: dict, now: dict, commit: str) -> str | None:
    """Why two probes of a lab differ, or None."""
    for side, line in (("at " + commit[:7], before), ("here", now)):
        if "error" in line:
            return f"its probe failed {side}: {line['error']}"
    if before["lengths"] != now["lengths"]:
        return "its run lengths (epochs, steps or limit) changed"
    old, new = before["setups"], now["setups"]
    if old.keys() != new.keys():
        return "its variants changed: " + ", ".join(
            [f"+{n}" for n in new if n not in old]
            + [f"-{n}" for n in old if n not in new]
        )
    changed = [name for name in new if old[name] != new[name]]
    return f"numbers changed: {', '.join(changed)}" if changed else None


def digests(labs: dict[str, str]) -> dict[str, tuple[dict, dict]]:
    """Per lab, its probe at the given commit and in the working tree. A commit's
    probes are kept in .cache/digests/ by machine and libraries: they never change."""
    if not labs:
        return {}
    cached, todo = {}, []  # todo: (tree, labs)
    with tempfile.TemporaryDirectory() as tmp:
        for commit in sorted(set(labs.values())):
            path = CACHE / f"{commit}-{fingerprint()}.json"
            have = read_json(path) if path.is_file() else {}
            cached[commit] = (path, have)
            missing = [
                lab for lab, c in labs.items() if c == commit and lab not in have
            ]
            if missing:
                tree = Path(tmp) / commit
                tree.mkdir()
                archive = subprocess.run(
                    ["git", "archive", commit, "labs", "dnnlab"],
                    cwd=ROOT,
                    capture_output=True,
                    check=True,
                ).stdout
                subprocess.run(
                    ["tar", "-x", "-C", str(tree)], input=archive, check=True
                )
                todo.append((tree, missing))
        todo.append((ROOT, list(labs)))
        found = run_probes(todo)
    CACHE.mkdir(parents=True, exist_ok=True)
    at = {}
    for commit, (path, have) in cached.items():
        at[commit] = {**have, **found.get(Path(tmp) / commit, {})}
        kept = {lab: line for lab, line in at[commit].items() if "error" not in line}
        files.write_json(path, kept)  # a failure may pass
    files.write_json(HERE, found[ROOT])  # for a look
    return {lab: (at[commit][lab], found[ROOT][lab]) for lab, commit in labs.items()}


def run_probes(todo: list[tuple[Path, list[str]]]) -> dict[Path, dict[str, dict]]:
    """scripts/digest.py on each tree's labs, split over the CPU's cores."""
    seen = read_json(HERE) if HERE.is_file() else {}  # seconds each lab took

    def cost(lab: str) -> float:
        return seen.get(lab, {}).get("seconds", 5.0)

    chunks = []
    for tree, labs in todo:  # the longest first, each to the chunk least loaded
        n = min(len(labs), os.cpu_count() or 1)
        parts: list[list[str]] = [[] for _ in range(n)]
        for lab in sorted(labs, key=cost, reverse=True):
            min(parts, key=lambda p: sum(map(cost, p))).append(lab)
        chunks += [(tree, part) for part in parts]

    def probe(chunk):
        tree, labs = chunk
        done = subprocess.run(
            [sys.executable, str(ROOT / "scripts/digest.py"), str(tree), *labs],
            capture_output=True,
            text=True,
        )
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        got = {line["lab"]: line for line in lines}
        for lab in labs:  # a probe that crashed: stale, with its last words
            got.setdefault(lab, {"lab": lab, "error": done.stderr[-500:]})
        return tree, got

    found: dict[Path, dict] = {}
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for tree, got in pool.map(probe, chunks):
            found.setdefault(tree, {}).update(got)
    return found


def cpu() -> tuple[str, set[str]]:
    """The CPU's model name and its instruction-set flags (from /proc/cpuinfo)."""
    info = Path("/proc/cpuinfo")
    text = info.read_text() if info.is_file() else ""
    model = re.search(r"model name\s*:\s*(.+)", text)
    flags = re.search(r"^flags\s*:\s*(.+)$", text, re.M)
    return (
        model[1] if model else platform.processor(),
        set(flags[1].split()) if flags else set(),
    )


def fingerprint() -> str:
    """The machine and libraries a probe's floats depend on, and the probe itself."""
    model, flags = cpu()
    parts = [
        platform.python_version(),
        model,
        # One model name covers CPUs with and without AVX-512, whose kernels differ.
        " ".join(sorted(flags)),
        str(os.cpu_count()),
        *(
            f"{p} {_version(p)}"
            for p in ("tensorflow", "keras", "numpy", "keras-tuner")
        ),
        (ROOT / "scripts/digest.py").read_text(),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


def remedy(path: Path) -> str:
    return f"restore it (git checkout {path}) or rerun the lab"


def read_json(path: Path) -> dict:
    return files.read_json(path, remedy(path))


def run(lab: str, seeds: int) -> None:
    """Run the lab; keep its results.json under docs/results, with the code hash and,
    when that code is committed, the commit."""
    cmd = command(lab, seeds)
    print(f"--- python {' '.join(cmd)}", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, *cmd, "--log-dir", str(LOGS)], cwd=ROOT, check=True)
    wall = time.perf_counter() - started
    run_dir = max((LOGS / stem(lab)).iterdir())
    saved = read_json(run_dir / "results.json")
    head, code = git("rev-parse", "HEAD"), code_hash(lab)
    saved.update(
        wall=wall,
        command="python " + " ".join(cmd),
        code=code,
        commit=head if head and code_hash(lab, head) == code else None,
        date=datetime.date.today().isoformat(),
    )
    SAVED.mkdir(parents=True, exist_ok=True)
    files.write_json(SAVED / f"{stem(lab)}.json", saved)


def draw(lab: str) -> None:
    """docs/figures/<lab>__*.png, drawn by the lab's figures' code of now from its
    saved numbers: a change to a figure retrains nothing."""
    from dnnlab import plots

    got = registry.BY_PATH[lab].declaration()
    path = SAVED / f"{stem(lab)}.json"
    results = load(path, remedy(path))
    FIGURES.mkdir(parents=True, exist_ok=True)
    for old in FIGURES.glob(f"{stem(lab)}__*.png"):
        old.unlink()
    parts = next(iter(results.values()))[0].run_dir.parts  # …/lab/timestamp/…
    when = parts[parts.index(stem(lab)) + 1]
    if got.net:  # a net trained on MNIST: its learning curves
        plots.curves(
            results, FIGURES / f"{stem(lab)}__compare.png", f"{stem(lab)} · {when}"
        )
    for file, figure in got.figures.items():
        figure(results, FIGURES / f"{stem(lab)}__{file}")


def judge(lab: str) -> tuple[dict, Lab, dict, Claim]:
    """The lab's saved file, its declaration, its results, and its own claim on
    them."""
    saved = read_json(SAVED / f"{stem(lab)}.json")
    declared = registry.BY_PATH[lab].declaration()
    path = SAVED / f"{stem(lab)}.json"
    results = load(path, remedy(path))
    claim = declared.claim(results)
    if saved["seeds"] == 1:
        claim.notes.append("rests on one seed")
    return saved, declared, results, claim


def source(declared: Lab) -> tuple[str, str]:
    """What the source ran and shows (its book or paper), as ("book" or "paper",
    text), or ("", "")."""
    if declared.book:
        return "book", declared.book
    return ("paper", declared.paper) if declared.paper else ("", "")


def section(
    i: int, lab: str, saved: dict, declared: Lab, results: dict, claim: Claim
) -> str:
    rows = table(results, saved["target"], columns=declared.columns).splitlines()
    head = ["variant", *re.split(r"\s{2,}", rows[0].strip())]
    cells = [head] + [re.split(r"\s{2,}", row.strip()) for row in rows[1:]]
    cells = [[c.replace("|", "\\|") for c in row] for row in cells]  # |x| in a cell
    md = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    checks = "\n".join(f"- {c.text}: {c.numbers} — *{c.outcome}*" for c in claim.checks)
    figures = "\n\n".join(
        f"![{p.stem}](docs/figures/{p.name})"
        for p in sorted(FIGURES.glob(f"{stem(lab)}__*.png"))
    )
    v = saved["versions"]
    kind, shows = source(declared)
    return "\n\n".join(
        [
            f"## {i}. {declared.title}",
            *([f"**The {kind}:** {shows}"] if shows else []),
            f"**Claim:** {claim.sentence}.",
            f"**Verdict: {claim.verdict}**"
            + (f" ({'; '.join(claim.notes)})" if claim.notes else "")
            + f", over {saved['seeds']} seeds (mean ± std):\n\n{checks}",
            "\n".join(md),
            figures,
            f"Run: `{saved['command']}`, {saved['wall'] / 60:.1f} min on "
            f"{v['machine']}, Keras {v.get('keras')}, TensorFlow "
            f"{v.get('tensorflow')}, {saved['date']}.",
        ]
    )


def group(labs: list[str], first: int = 1) -> tuple[list, list, list, float]:
    """Sections, summary rows, README rows and wall time of some labs."""
    sections, summary, readme, walls = [], [], [], 0.0
    for i, lab in enumerate(labs, first):
        saved, declared, results, claim = judge(lab)
        walls += saved["wall"]
        sections.append(section(i, lab, saved, declared, results, claim))
        verdict = claim.verdict if claim.verdict == "holds" else f"**{claim.verdict}**"
        summary.append(
            f"| {i} | {claim.sentence} | {verdict} | `make {TARGETS[lab]}` |"
        )
        readme.append(
            f"| `make {TARGETS[lab]}` | {declared.title} | "
            f"{headline(declared, results)} "
            f"| {verdict} |"
        )
    return sections, summary, readme, walls


def headline(declared: Lab, results: dict) -> str:
    """The README's number for a lab: the best variant's test accuracy."""
    if not declared.net:
        return "– (trains no net on MNIST)"
    best = max(results, key=lambda n: results[n].stat("test_accuracy").mean)
    return f"{pct(results[best].stat('test_accuracy'))} ({best})"


HEAD = "| # | claim | verdict | command |\n|---|---|---|---|\n"


def textbook_part(lecture: list[str], summary: list, sections: list) -> list[str]:
    """The textbook's side-by-side part of RESULTS.md."""
    return [
        "# The textbook, side by side",
        "Chapter 6 of *Deep Learning from Scratch* (Saito) has nine "
        "programs (ch06/ in oreilly-japan/deep-learning-from-scratch). "
        "labs/textbook/ runs eight of them with dnnlab's Config or "
        "dnnlab/scratch.py; each section says what the book ran and "
        "shows, where the set-up differs, and whether the book's result "
        "holds here. The ninth, `optimizer_compare_naive.py` (Fig. 6-8, "
        "the update rules on the bowl x²/20 + y²), is the lecture's lab "
        f"DNN_gradient_descent (section {lecture.index(NAIVE) + 1})."
        if NAIVE in lecture
        else "",
        "| program | lab |\n|---|---|\n"
        + "\n".join(
            f"| `{program}.py` | `{lab}` |" for program, lab in PROGRAMS.items()
        ),
        HEAD + "\n".join(summary),
        *sections,
    ]


def papers_part(summary: list, sections: list) -> list[str]:
    """The papers' side-by-side part of RESULTS.md."""
    return [
        "# The papers, side by side",
        "The lecture's claims come from a handful of papers, each with "
        "an MNIST figure or table. labs/papers/ runs each one's set-up "
        "with dnnlab's Config, shortened where 2 cores demand it (each "
        "section says so); each section quotes what the paper ran and "
        "shows, and whether it holds here.",
        HEAD + "\n".join(summary),
        *sections,
    ]


def write_readme_table(readme: list[str]) -> None:
    """The README's table of the lecture's labs, between its markers."""
    lines = [
        "| command | lab | best test accuracy (variant) | claim |",
        "|---|---|---|---|",
        *readme,  # the textbook's and the papers' are on RESULTS.md
    ]
    page = README.read_text()
    block = f"{README_START}\n" + "\n".join(lines) + f"\n{README_END}"
    page = re.sub(
        re.escape(README_START) + ".*?" + re.escape(README_END),
        lambda _: block,
        page,
        flags=re.S,
    )
    files.write(README, page)


def render(labs: list[str], figures: bool = True) -> None:
    if figures:
        for lab in labs:
            draw(lab)
    lecture = [lab for lab in labs if lab in LABS]
    textbook = [lab for lab in labs if lab in BOOK]
    sections, summary, readme, walls = group(lecture)
    b_sections, b_summary, _, b_walls = group(textbook, len(lecture) + 1)
    papers = [lab for lab in labs if lab in PAPERS]
    p_sections, p_summary, _, p_walls = group(papers, len(lecture) + len(textbook) + 1)
    text = "\n\n".join(
        [
            "# RESULTS: the lecture's claims, checked over seeds",
            "Written by `make results` (scripts/results.py) from the labs' saved "
            "results in docs/results/; every number and verdict below comes from "
            "the lab's own `claim()` on those numbers. A difference counts when it "
            "exceeds twice its standard error over the seeds (dnnlab/claims.py); "
            f"otherwise the verdict says *within seed noise*. The lecture's labs took "
            f"{walls / 60:.1f} min in all, the textbook's {b_walls / 60:.1f} min, "
            f"the papers' {p_walls / 60:.1f} min (2 cores, no GPU).",
            HEAD + "\n".join(summary),
            *sections,
            *(textbook_part(lecture, b_summary, b_sections) if textbook else []),
            *(papers_part(p_summary, p_sections) if papers else []),
        ]
    )
    files.write(PAGE, text + "\n")
    write_readme_table(readme)
    print(f"wrote RESULTS.md and the README's lab table ({len(labs)} labs)")


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
    render([lab for lab in TARGETS if (SAVED / f"{stem(lab)}.json").is_file()])


if __name__ == "__main__":
    main()
