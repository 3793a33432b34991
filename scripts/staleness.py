"""Which labs' saved results are stale, and why (make stale): fresh when the
saved numbers are what the lab's code would produce now, the same bytes as the
code that made them, or the same numbers when both are probed (scripts/digest.py)
side by side on this machine."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import places
from places import command, read_json, stem

from dnnlab import files


def code_hash(lab: str, commit: str | None = None) -> str | None:
    """A hash of the bytes a lab runs (its file and the dnnlab package), in the
    working tree or at a commit (None if the lab is not in it)."""
    if commit is None:
        package = (
            str(p.relative_to(places.ROOT))
            for p in (places.ROOT / "dnnlab").rglob("*.py")
        )
    else:
        package = git("ls-tree", "-r", "--name-only", commit, "dnnlab").split()
    parts = []
    for f in [f"labs/{lab}.py", *sorted(f for f in package if f.endswith(".py"))]:
        if commit is None:
            parts.append((places.ROOT / f).read_bytes())
            continue
        shown = subprocess.run(
            ["git", "show", f"{commit}:{f}"], cwd=places.ROOT, capture_output=True
        )
        if shown.returncode:
            return None
        parts.append(shown.stdout)
    return hashlib.sha256(b"".join(parts)).hexdigest()[:16]


def git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=places.ROOT, capture_output=True, text=True
    )
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


def staleness(labs: list[str]) -> dict[str, tuple[bool, str]]:
    """Per lab, (stale, why); fresh when its saved results are what its
    code would produce now: the same bytes as the code that made them, or the same
    numbers when both are probed (scripts/digest.py) side by side on this machine,
    the code at the commit that made them and the code here."""
    why, probe = {}, {}
    for lab in labs:
        path = places.SAVED / f"{stem(lab)}.json"
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
            path = places.CACHE / f"{commit}-{fingerprint()}.json"
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
                    cwd=places.ROOT,
                    capture_output=True,
                    check=True,
                ).stdout
                subprocess.run(
                    ["tar", "-x", "-C", str(tree)], input=archive, check=True
                )
                todo.append((tree, missing))
        todo.append((places.ROOT, list(labs)))
        found = run_probes(todo)
    places.CACHE.mkdir(parents=True, exist_ok=True)
    at = {}
    for commit, (path, have) in cached.items():
        at[commit] = {**have, **found.get(Path(tmp) / commit, {})}
        kept = {lab: line for lab, line in at[commit].items() if "error" not in line}
        files.write_json(path, kept)  # a failure may pass
    files.write_json(places.HERE, found[places.ROOT])  # for a look
    return {
        lab: (at[commit][lab], found[places.ROOT][lab]) for lab, commit in labs.items()
    }


def run_probes(todo: list[tuple[Path, list[str]]]) -> dict[Path, dict[str, dict]]:
    """scripts/digest.py on each tree's labs, split over the CPU's cores."""
    seen = (
        read_json(places.HERE) if places.HERE.is_file() else {}
    )  # seconds each lab took

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
            [sys.executable, str(places.ROOT / "scripts/digest.py"), str(tree), *labs],
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
        (places.ROOT / "scripts/digest.py").read_text(),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "-"
