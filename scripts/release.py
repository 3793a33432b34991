"""make release: the student edition a course hands out, in release/ (not committed).

It holds the labs, their notebooks, the exercises (exercises/scratch.py and the
exercise notebooks, to fill in) and the checks, and no solution: dnnlab/scratch.py
is a stand-in that loads the student's exercises/scratch.py, so the labs built on
it (backprop, formulas, gradient descent, the batch-norm gradient check) run on
the student's own functions; the checks compare with central differences,
autodiff, Keras and the solution's outputs on the public cases, stored in
dnnlab/reference_outputs.pkl (dnnlab/exercises.py's Replay). The grader
(dnnlab/grade.py) and the hidden cases stay in the instructor's copy.

Usage: python scripts/release.py [DIR]   (default release/)
"""

from __future__ import annotations

import pickle
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import make_exercises  # noqa: E402

from dnnlab import exercises  # noqa: E402

OUT = ROOT / "release"
COPIED = ("labs", "notebooks", "dnnlab", "README.md", "LICENSE", "pyproject.toml")
DOCS = ("exercises.md", "notebooks.md", "package.md")
LEFT_OUT = ("scratch.py", "grade.py")  # the solution; the grader (hidden cases)
SHIM = '''"""In the student edition, dnnlab.scratch is your exercises/scratch.py (or
the file $DNNLAB_SCRATCH names): the labs built on it (DNN_backprop, DNN_formulas,
DNN_gradient_descent, textbook/batch_norm_gradient_check) run on your own
functions, and say so."""

import os
import sys
from pathlib import Path

_FILE = Path(
    os.environ.get("DNNLAB_SCRATCH")
    or Path(__file__).resolve().parents[1] / "exercises" / "scratch.py"
)
exec(compile(_FILE.read_text(), str(_FILE), "exec"), globals())  # noqa: S102
if "labs" in Path(sys.argv[0]).parts:
    print(f"dnnlab.scratch: your own functions, from {_FILE}", file=sys.stderr)
'''


def recorded() -> dict:
    """The solution's outputs on every input the public checks give it."""
    solution = exercises.SOLUTION  # the checks' own copy of scratch.py
    recorder = exercises.Recorder(solution, exercises.EXERCISES)
    checker = exercises.variant("release", REFERENCE=recorder)
    verdicts = checker.verify_all(solution, None)
    assert all(v.ok for v in verdicts), [str(v) for v in verdicts if not v.ok]
    assert checker.own_net(solution, (), None).ok
    return {"names": list(exercises.EXERCISES), "outputs": recorder.outputs}


def makefile() -> str:
    """The Makefile, its exercises target saying where the files are."""
    text = (ROOT / "Makefile").read_text()
    make = "\t$(BIN)/python scripts/make_exercises.py\n"
    assert make in text
    return text.replace(
        make,
        '\t@echo "exercises/ holds your files (a fresh copy: notebooks/exercises/)"\n',
    )


def release(out: Path = OUT) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "logs", ".*")
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=ignore)
        else:
            shutil.copy(src, out / name)
    (out / "docs").mkdir()
    for name in DOCS:
        shutil.copy(ROOT / "docs" / name, out / "docs" / name)
    for name in LEFT_OUT:
        (out / "dnnlab" / name).unlink()
    (out / "dnnlab" / "scratch.py").write_text(SHIM)
    with open(out / "dnnlab" / "reference_outputs.pkl", "wb") as f:
        pickle.dump(recorded(), f)
    make_exercises.write(out / "exercises")
    (out / "Makefile").write_text(makefile())
    return out


if __name__ == "__main__":
    where = release(Path(sys.argv[1]) if sys.argv[1:] else OUT)
    print(f"wrote {where}: the student edition (no solution bodies)")
