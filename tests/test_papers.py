"""The papers' labs (labs/papers/) end to end in quick mode, and the Config options
their set-ups need (max-norm and input dropout are in test_model.py)."""

import json

import pytest
from conftest import LABS

from dnnlab import registry

# Each lab's own flags for a quick run, beside --limit 600 --epochs 1.
QUICK = {lab.path: lab.declaration().quick for lab in registry.section("papers")}


def test_every_paper_lab_has_a_quick_run():
    assert sorted(QUICK) == sorted(f"papers/{p.stem}" for p in LABS.glob("papers/*.py"))


def records(run, variant):
    saved = json.loads((run.root / "results.json").read_text())
    return saved["variants"][variant][0]["extras"]


@pytest.mark.parametrize("name", sorted(QUICK))
def test_paper_lab_runs_and_ends_with_its_verdict(name, lab_run):
    run = lab_run(name, *QUICK[name])
    lines = run.out.splitlines()
    assert lines[0].startswith("dnnlab: backend "), lines[:3]
    assert lines[-1].startswith("verdict: "), lines[-3:]
    for png in run.root.glob("*.png"):
        assert png.stat().st_size > 10_000, png
    if name.endswith("ioffe2015_fig1"):
        for variant in ("plain", "bn"):
            got = records(run, variant)
            assert got["step"] == [50, 100, 120]  # at each execution's end
            assert got["p15"][-1] <= got["p50"][-1] <= got["p85"][-1]
            assert 0 <= got["test_accuracy_by_step"][-1] <= 1
    if name.endswith("glorot2010_fig2"):
        got = records(run, "tanh_standard")
        assert len(got["gradient_spread"]) == len(got["activation_spread"]) == 5
        assert len(records(run, "sigmoid")["mean_4"]) == 2  # at steps 50 and 60
        # Fig. 7 at initialization, where theory says: under U[−1/√n, 1/√n] each
        # layer scales the gradient's variance by n·Var(w) = 1/3, so layer 1's spread
        # is about (1/3)^2 = 0.11 of layer 5's; normalized init keeps them comparable.
        standard = records(run, "tanh_standard")["gradient_spread"]
        normalized = records(run, "tanh_normalized")["gradient_spread"]
        assert standard[0] / standard[-1] < 0.25
        assert normalized[0] / normalized[-1] > 0.5
