"""The student edition (make release): no solution body anywhere in it, its
`make check` works on the stored outputs of the public cases, each planted
mistake still fails its own check only, and the labs built on dnnlab.scratch run
on the student's own functions and say so."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import release as make_release  # noqa: E402
from test_exercises import MUTATIONS, mutate  # noqa: E402

SOLUTION = (ROOT / "dnnlab" / "scratch.py").read_text()
BODIES = re.findall(r"^ *# solution\n(.*?)^ *# end solution\n", SOLUTION, re.M | re.S)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return make_release.release(tmp_path_factory.mktemp("release") / "release")


def run(edition: Path, *argv: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(edition)}  # its dnnlab, not ours
    return subprocess.run(
        argv,
        cwd=edition,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )


def test_no_solution_body_is_in_the_release(edition):
    lines = {
        line.strip()
        for body in BODIES
        for line in body.splitlines()
        if len(line.strip()) >= 10 and not line.strip().startswith("#")
    }
    assert len(BODIES) == 22 and len(lines) > 40
    found = []
    for path in edition.rglob("*"):
        if path.is_file() and path.suffix != ".pkl":
            text = path.read_text(errors="replace")
            found += [(str(path), line) for line in lines if line in text]
    assert not found, found[:10]
    assert not (edition / "dnnlab" / "grade.py").exists()  # the hidden cases' grader
    assert "# solution" not in (edition / "dnnlab" / "scratch.py").read_text()


def test_make_check_works_inside_the_release(edition, tmp_path):
    stamp = tmp_path / "installed"
    stamp.touch()  # the venv's stamp: ours, with only the release on the path
    make = [
        "make",
        "-s",
        "check",
        f"BIN={Path(sys.executable).parent}",
        f"STAMP={stamp}",
    ]
    done = run(edition, *make)
    lines = done.stdout.splitlines()
    assert lines[-1] == "0 of 22 pass; your net: FAIL", done.stdout + done.stderr
    assert lines[0] == "FAIL  affine_forward: not implemented"
    (tmp_path / "mine.py").write_text(SOLUTION)  # every body written
    done = run(edition, *make, f"FILE={tmp_path / 'mine.py'}")
    assert done.stdout.splitlines()[-1] == "22 of 22 pass; your net: pass", done.stdout


def test_each_planted_mistake_fails_its_own_check_in_the_release(edition, tmp_path):
    files = {}
    for i, mistake in enumerate(MUTATIONS.values()):
        files[mistake[0] + f"#{i}"] = tmp_path / f"m{i}.py"
        files[mistake[0] + f"#{i}"].write_text(mutate(*mistake))
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from dnnlab import exercises as ex\n"
        "assert ex.SOLUTION is None, 'a solution in the release'\n"
        "files = json.loads(sys.argv[1])\n"
        "out = {k: [v.name for v in ex.verify_all(ex.load(Path(p))) if not v.ok]\n"
        "       for k, p in files.items()}\n"
        "print(json.dumps(out))\n"
    )
    done = run(
        edition,
        sys.executable,
        "-c",
        code,
        json.dumps({k: str(p) for k, p in files.items()}),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    failed = json.loads(done.stdout.splitlines()[-1])
    assert failed == {k: [k.split("#")[0]] for k in files}, failed


def test_a_lab_on_scratch_runs_on_the_students_functions_and_says_so(edition):
    done = run(edition, sys.executable, "labs/DNN_gradient_descent.py", "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "dnnlab.scratch: your own functions, from " in done.stderr
    assert str(edition / "exercises" / "scratch.py") in done.stderr
