"""RESULTS.md's verdicts follow from the numbers: the same code says 'not reproduced'
when the numbers say so. Synthetic runs; no training."""

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))
import results  # noqa: E402


def result(train: float, test: float, val=(0.9,), trace=(), diverged=None) -> dict:
    return {
        "train_accuracy": train,
        "test_accuracy": test,
        "history": {"val_accuracy": list(val), "loss": [0.5]},
        "trace": [list(t) for t in trace],
        "diverged_at": diverged,
    }


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "FIGURES", tmp_path / "figures")

    def make(lab: str, files: dict) -> results.Runs:
        folder = tmp_path / lab
        folder.mkdir()
        for name, content in files.items():
            (folder / name).write_text(json.dumps(content))
        (folder / "compare.png").write_bytes(b"png")
        return results.Runs({lab: {"run": str(folder), "wall": 1.0}})

    return make


@pytest.mark.parametrize("narrower", [True, False])
def test_weight_decay_verdict_follows_the_gaps(runs, narrower):
    l2 = result(0.90, 0.86) if narrower else result(1.0, 0.80)
    R = runs(
        "DNN_regularization",
        {
            "results.json": {
                "none": result(1.0, 0.88),
                "l2_1e-2": l2,
                "l1_1e-3": result(0.95, 0.87) if narrower else result(1.0, 0.85),
            }
        },
    )
    _, _, verdict, ok = results.claim_weight_decay(R)
    assert ok is narrower
    assert "12.0 points" in verdict  # the gap without decay, from the numbers
    assert ("did not reproduce" in verdict) is not narrower


def test_search_verdict_counts_trials_to_grids_best(runs):
    def strategy(best_so_far):
        return {"scores": best_so_far, "best_so_far": best_so_far, "seconds": 1.0}

    found = {
        "strategies": {
            "grid": strategy([0.90, 0.95, 0.95, 0.96]),
            "random": strategy([0.93, 0.96, 0.97]),
            "bayesian": strategy([0.96, 0.97]),
        },
        "best": {"val_accuracy": 0.98, "test_accuracy": 0.979},
    }
    R = runs(results.SEARCH, {"search.json": found})
    (R.folder(results.SEARCH) / "best_so_far.png").write_bytes(b"png")
    table, _, verdict, ok = results.claim_search(R)
    assert ok, verdict
    assert "random search matched it at trial 2 (fewer)" in verdict
    assert "came at trial 3; Bayesian search matched it at trial 2 (fewer)" in verdict
    found["strategies"]["bayesian"] = strategy([0.90, 0.91])  # never reaches 97 %
    (R.folder(results.SEARCH) / "search.json").write_text(json.dumps(found))
    _, _, verdict, ok = results.claim_search(R)
    assert not ok and "Bayesian search matched it never (not fewer)" in verdict


def test_a_lab_reruns_only_when_its_code_is_newer(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    folder.mkdir()
    saved = folder / "results.json"
    saved.write_text("{}")
    runs = {"DNN_softmax": {"run": str(folder), "wall": 1.0}}
    code = results.code_time("DNN_softmax")
    os.utime(saved, (code + 10, code + 10))
    assert results.fresh("DNN_softmax", runs)
    os.utime(saved, (code - 10, code - 10))
    assert not results.fresh("DNN_softmax", runs)
    assert not results.fresh("DNN_dropout", runs)  # never run
