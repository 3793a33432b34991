"""scripts/timings.py: the README's timing table is the saved measurement."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import timings  # noqa: E402


def test_it_times_the_labs_make_labs_runs():
    labs = timings.make_labs()
    assert len(labs) == 7 and labs[0] == "DNN_softmax"
    assert all((ROOT / "labs" / f"{lab}.py").is_file() for lab in labs)


def test_the_readme_shows_the_saved_times():
    saved = json.loads(timings.SAVED.read_text())
    assert list(saved["seconds"]) == timings.make_labs()
    assert timings.block(saved) in timings.README.read_text()
