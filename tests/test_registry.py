"""A new lab is one file plus one entry in dnnlab/registry.py: in a copy of the
repository, a throw-away lab gets its make target, its quick test and its row in
RESULTS.md with nothing else edited; its Korean is what remains, and
scripts/messages.py --check lists it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAB = """import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's dnnlab

from dnnlab import Claim, Config, Lab, above

config = Config(name="DNN_throwaway", hidden_units=(16,), epochs=1, limit=600)


def claim(results) -> Claim:
    acc = results["net"].stat("test_accuracy")
    return Claim("a small net beats chance", [above("test accuracy > 10 %", acc, 0.1)])


LAB = Lab(
    title="A throw-away lab",
    slide="none (tests/test_registry.py adds it to a copy of the repository)",
    description="a net of 16 units trains for one epoch on 600 images.",
    usage="python labs/DNN_throwaway.py",
    variants=config,
    claim=claim,
)


if __name__ == "__main__":
    LAB.run()
"""
ENTRY = '    Entry("DNN_throwaway", "lab-throwaway", "labs-more"),\n'


@pytest.mark.slow
def test_a_new_lab_is_one_file_and_one_entry(mnist, tmp_path):
    copy = tmp_path / "repo"
    for part in ("dnnlab", "labs", "scripts", "tests", "docs"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns(".*"))
    for part in (
        "Makefile",
        "pyproject.toml",
        "README.md",
        "RESULTS.md",
        "README.ko.md",
    ):
        shutil.copy(ROOT / part, copy / part)
    (copy / "labs" / "DNN_throwaway.py").write_text(LAB)
    registry = copy / "dnnlab" / "registry.py"
    text = registry.read_text()
    anchor = '    Entry("DNN_best", "lab-best", "capstone"),\n'
    registry.write_text(text.replace(anchor, ENTRY + anchor))
    env = {**os.environ, "PYTHONPATH": str(copy)}  # the copy's dnnlab, not ours
    env.pop("DNNLAB_STRICT_LANG")  # its Korean is not written yet: English there

    def run(*argv, code=0):
        done = subprocess.run(argv, cwd=copy, env=env, capture_output=True, text=True)
        assert done.returncode == code, (done.stdout + done.stderr)[-3000:]
        return done.stdout

    # Its make target, in its group.
    (copy / ".venv").mkdir()
    (copy / ".venv" / ".installed").touch()  # make's stamp: no install in the copy
    assert "registry.py run lab-throwaway" in run("make", "-n", "lab-throwaway")
    assert "registry.py run lab-throwaway" in run("make", "-n", "labs-more")
    # Its quick test.
    collected = run(
        sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/test_labs.py"
    )
    assert "test_lab_runs_in_one_shape_and_ends_with_its_verdict[DNN_throwaway]" in (
        collected
    )
    # Its saved results and its row in RESULTS.md, between its neighbours.
    run(sys.executable, "scripts/results.py", "DNN_throwaway", "--seeds", "1")
    page = (copy / "RESULTS.md").read_text()
    assert "A throw-away lab" in page and "`make lab-throwaway`" in page
    order = [page.index(f"`make {t}`") for t in ("lab-search", "lab-throwaway")]
    assert order == sorted(order)
    # Its Korean is what remains: the catalog lists its messages to translate.
    stale = run(sys.executable, "scripts/messages.py", "--check", code=1)
    assert "no Korean: 'A throw-away lab'" in stale
    assert "A throw-away lab" in (copy / "RESULTS.ko.md").read_text()  # English
