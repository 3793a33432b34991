"""Grading a class (python -m dnnlab.grade): each submission in a sandbox. The
process bound is proved first; then 11 hostile submissions are each graded with
the right reason, nothing escaping (the instructor's files hash the same after),
and a class of 40 (the reference, the stub, the planted mistakes, the hostile
ones) gets exactly the expected points."""

import csv
import hashlib
import inspect
import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from dnnlab import exercises as ex
from dnnlab import grade, scratch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import make_exercises as make  # noqa: E402
from test_exercises import MUTATIONS, mutate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCE = inspect.getsource(scratch)
LIMITS = grade.Limits(seconds=2, total=90, cpu=60)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        grade.bwrap() is None or os.geteuid() != 0,
        reason="the sandbox needs bubblewrap and root (a uid per submission)",
    ),
]


def body(function: str, new: str) -> str:
    """The reference with one function's marked body replaced."""
    start = SOURCE.index(f"\ndef {function}(")
    begin = SOURCE.index("# solution\n", start) + len("# solution\n")
    end = SOURCE.index("    # end solution", begin)
    return (
        SOURCE[:begin] + "".join(f"    {x}\n" for x in new.splitlines()) + SOURCE[end:]
    )


def test_the_process_bound_holds_before_any_fork_bomb(tmp_path):
    """As the sandbox's uid, forks stop at the bound (root would pass it)."""
    job = tmp_path / "job"
    job.mkdir()
    (job / "grade_child.py").write_text(
        "import os, time\n"
        "n = 0\n"
        "try:\n"
        "    for _ in range(200):\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(20)\n"
        "            os._exit(0)\n"
        "        n += 1\n"
        "except OSError:\n"
        "    pass\n"
        "open('/job/count', 'w').write(str(n))\n"
    )
    os.chown(job, grade.UID + 7, grade.UID + 7)
    done = subprocess.run(grade.sandboxed(job, 7, 30), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    count = int((job / "count").read_text())
    assert 0 < count < grade.NPROC, count


FUTURE = "from __future__ import annotations\n"


def before(code: str, source: str = SOURCE) -> str:
    """Code at the top of a submission (after its __future__ import)."""
    return source.replace(FUTURE, FUTURE + code, 1)


def hashes() -> dict[str, str]:
    files = [p for d in ("dnnlab", "labs", "scripts") for p in (ROOT / d).rglob("*.py")]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


class Listener:
    """A TCP server on the host's 127.0.0.1 that counts who connects."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port, self.accepted, self.stop = self.sock.getsockname()[1], 0, False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                self.sock.accept()[0].close()
                self.accepted += 1
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


WRONG_OUT = "out = 0 * x @ W\n"


def hostile(port: int) -> dict[str, tuple[str, dict[str, str]]]:
    """name: (source, {function: the start of its expected reason}); the other
    functions (the reference's) pass, unless '*' names them all."""
    solution = str(ROOT / "dnnlab" / "scratch.py")
    loaded = "the file did not load: raised "
    return {
        "reads_solution": (
            body("affine_forward", f"out = open({solution!r}).read()"),
            {"affine_forward": "raised FileNotFoundError"},
        ),
        "imports_scratch": (
            before("from dnnlab.scratch import *\n"),
            {"*": loaded + "ModuleNotFoundError"},
        ),
        "endless_loop": (
            body("sgd", "while True:\n    pass"),
            {"sgd": "no answer in 2 s (an endless loop?)"},
        ),
        "memory_bomb": (
            body("affine_forward", "big = np.ones(10 * 2**30 // 8)\nout = x @ W + b"),
            {"affine_forward": "raised MemoryError"},
        ),
        "fork_bomb": (
            body("affine_forward", "import os\nwhile True:\n    os.fork()"),
            {"affine_forward": "raised "},
        ),
        "writes_instructor": (
            body(
                "relu_forward",
                f"open({str(ROOT / 'dnnlab' / 'hacked.py')!r}, 'w').write('x')\n"
                "out = np.maximum(0, x)",
            ),
            {"relu_forward": "raised FileNotFoundError"},
        ),
        "network": (
            body(
                "sigmoid_forward",
                f"import socket\nsocket.create_connection(('127.0.0.1', {port}), 2)\n"
                "out = 1 / (1 + np.exp(-x))",
            ),
            {"sigmoid_forward": "raised "},
        ),
        "exits_at_import": (
            before("import sys\nsys.exit(0)\n"),
            {"*": loaded + "SystemExit: 0"},
        ),
        "prints_pass": (
            before(
                "for n in range(22):\n    print('pass  affine_forward: matches')\n",
                body("affine_forward", WRONG_OUT),
            ),
            {"affine_forward": "public: out vs the reference"},
        ),
        "patches_allclose": (
            before(
                "import numpy\nnumpy.allclose = lambda *a, **k: True\n",
                body("affine_forward", WRONG_OUT),
            ),
            {"affine_forward": "public: out vs the reference"},
        ),
        "syntax_error": ("def f(:\n" + SOURCE, {"*": loaded + "SyntaxError"}),
    }


def expected_points(cases: dict) -> dict[str, dict[str, int]]:
    out = {"reference": dict.fromkeys(ex.EXERCISES, 2)}
    out["stub"] = dict.fromkeys(ex.EXERCISES, 0)
    for i, (function, *_) in enumerate(MUTATIONS.values()):
        out[f"mistake_{i:02d}"] = {n: 0 if n == function else 2 for n in ex.EXERCISES}
    for name, (_, reasons) in cases.items():
        out[name] = {
            n: 0 if "*" in reasons or n in reasons else 2 for n in ex.EXERCISES
        }
    return out


def test_a_class_of_40_with_11_hostile_submissions(tmp_path):
    listener = Listener()
    folder = tmp_path / "class"
    folder.mkdir()
    cases = hostile(listener.port)
    (folder / "reference.py").write_text(SOURCE)
    (folder / "stub.py").write_text(make.student(SOURCE))
    for i, mistake in enumerate(MUTATIONS.values()):
        (folder / f"mistake_{i:02d}.py").write_text(mutate(*mistake))
    for name, (source, _) in cases.items():
        (folder / f"{name}.py").write_text(source)
    assert len(list(folder.iterdir())) == 40
    instructor = hashes()
    try:
        grades = grade.grade(folder, 2, LIMITS, progress=False)
    finally:
        listener.close()
    assert hashes() == instructor and not (ROOT / "dnnlab" / "hacked.py").exists()
    assert listener.accepted == 0
    points = {s: {n: p for n, (p, _) in fs.items()} for s, fs in grades.items()}
    assert points == expected_points(cases)
    for name, (_, reasons) in cases.items():
        for function, start in reasons.items():
            names = ex.EXERCISES if function == "*" else [function]
            for n in names:
                assert grades[name][n][1].startswith(start), (name, grades[name][n])
    assert grades["stub"]["sgd"] == (0, "not implemented")
    for student, functions in grades.items():  # hidden: the kind, never a number
        for _, reason in functions.values():
            hidden = reason.split("hidden: ")[1] if "hidden: " in reason else ""
            assert not re.search(r"\d", hidden.replace("×2", "")), (student, reason)
    # no process of the sandbox's uids is left
    left = subprocess.run(["ps", "-eo", "uid="], capture_output=True, text=True).stdout
    assert not {int(u) for u in left.split()} & set(range(grade.UID, grade.UID + 8))


def test_the_csv_and_the_reports(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ana.py").write_text(mutate(*MUTATIONS["transposed weight"]))
    nb = folder / "bo"  # a folder of filled notebooks
    make.write(nb)
    (nb / "scratch.py").unlink()
    for path in nb.glob("*.ipynb"):
        book = nbformat.read(path, 4)
        for cell in book.cells:  # the reference's bodies, as a student fills them
            if "exercise" in cell.metadata:
                cell.source = make.without_docstring(
                    getattr(scratch, cell.metadata.exercise)
                )
        nbformat.write(book, path)
    out = tmp_path / "grades.csv"
    assert grade.main([str(folder), "--out", str(out), "--time-limit", "2"]) == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 44 and set(rows[0]) == {
        "student",
        "function",
        "points",
        "reason",
    }
    by = {(r["student"], r["function"]): r for r in rows}
    assert by["ana", "affine_backward"]["points"] == "0"
    assert (
        "hidden: dW has the wrong shape (transposed)"
        in by["ana", "affine_backward"]["reason"]
    )
    assert all(by["bo", n]["points"] == "2" for n in ex.EXERCISES), by
    report = (tmp_path / "grades-reports" / "ana.txt").read_text()
    assert report.startswith("ana: 42 of 44 points")
