"""The explorers (dnnlab/explore.py): at their lab's settings the numbers are the
lab's saved ones, the bowl's stability limits are where a simulation diverges, and
in a Jupyter kernel a slider moved redraws (the browser's side: scripts/
explorer_screenshots.py)."""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import LABS

from dnnlab import explore as e
from dnnlab import scratch as s
from dnnlab.lab import load

sys.path.insert(0, str(LABS.parent / "scripts"))
import notebooks  # noqa: E402

SAVED = LABS.parent / "docs" / "results"
TENSORFLOW = os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow"


def saved(lab: str) -> dict:
    return load(SAVED / f"{Path(lab).name}.json")


def test_the_stability_limits_on_the_bowl():
    limits = [e.stability_limit(r) for r in ("sgd", "momentum", "nesterov")]
    assert np.allclose(limits, [1.0, 1.9, 0.6786], atol=1e-4)
    assert {e.stability_limit(r) for r in ("adagrad", "rmsprop", "adam")} == {None}


@pytest.mark.parametrize("rule", ["sgd", "momentum", "nesterov"])
def test_a_rate_just_below_its_limit_converges_and_just_above_diverges(rule):
    """On y² (curvature 2) alone, 2,000 steps of the rule by hand."""
    limit = e.stability_limit(rule)

    def end(lr):
        w, v = np.array([1.0]), np.zeros(1)
        for _ in range(2000):
            g = 2 * w
            if rule == "sgd":
                w = s.sgd(w, g, lr)
            else:
                w, v = getattr(s, rule)(w, g, v, lr, e.MU)
        return abs(w[0])

    assert end(0.99 * limit) < 1e-3
    assert end(1.01 * limit) > 1e3


def test_the_bowl_explorer_has_the_labs_numbers():
    """Each variant of DNN_gradient_descent: its saved distances, step by step."""
    ex = e.explore_bowl(show=False)
    for name, seeds in saved("DNN_gradient_descent").items():
        c = seeds[0].config
        state, line = ex.update(rule=c.optimizer, learning_rate=c.learning_rate)
        assert state["distance"].tolist() == seeds[0].extras["distance"], name
        assert state["path"].tolist() == seeds[0].extras["paths"]["by hand"], name
        limit = state["limit"]
        if limit is not None:
            past = c.learning_rate > limit
            assert ("the path diverges" in line) == past, line
            assert (state["distance"][-1] > 1) == past, name


def test_the_bowl_explorer_marks_an_adaptive_rules_oscillation():
    ex = e.explore_bowl(show=False)
    state, line = ex.update(rule="adagrad", learning_rate=1.5)  # the book's
    assert state["first_growth"] is None and "falls at every step" in line
    state, line = ex.update(rule="adam", learning_rate=0.3)  # the book's
    grows = state["first_growth"]
    d = state["distance"]
    assert grows and d[grows] > d[grows - 1] and all(np.diff(d[:grows]) <= 0)
    assert f"first grows at step {grows}: an oscillation" in line
    assert "diverg" not in line


@pytest.mark.skipif(not TENSORFLOW, reason="the saved histograms were drawn on TF")
def test_the_activations_explorer_has_the_histogram_labs_numbers():
    ex = e.explore_activations(show=False)
    for name, seeds in saved("textbook/weight_init_activation_histogram").items():
        c, extras = seeds[0].config, seeds[0].extras
        state, _ = ex.update(
            activation=c.activation,
            initializer=c.initializer,
            init_std=c.init_std,
            depth=len(c.hidden_units),
        )
        assert state["histograms"] == extras["histograms"], name
        assert np.allclose(state["std"], extras["std"], rtol=1e-6, atol=0), name


def test_the_learning_rate_explorer_has_the_backprop_labs_losses(mnist):
    """DNN_backprop's first 300 steps by hand: its saved losses, one by one for
    the first 100, then the means of the next two hundreds (float32 losses: the
    saved run's BLAS may sum in another order, within float32's rounding)."""
    (r,) = saved("DNN_backprop")["net"][:1]
    c = r.config
    state, line = e.explore_learning_rate(show=False).update(
        learning_rate=c.learning_rate, init_std=c.init_std, steps=300
    )
    losses = state["losses"]
    hand = [loss for _, loss in r.trace]
    assert np.allclose(losses[:100], hand[:100], rtol=1e-6, atol=0)
    means = [losses[100:200].mean(), losses[200:].mean()]
    assert np.allclose(means, hand[100:102], rtol=1e-6, atol=0)
    assert "learning rate 0.1: loss over the last 20 of 300 steps" in line


def test_without_a_front_end_an_explorer_draws_once_and_says_how(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    fig = e.explore_bowl()
    assert len(fig.axes) == 2
    out = capsys.readouterr().out
    assert out.startswith("SGD at 0.95: within its stability limit 1")
    assert "figure: logs/explore/bowl.png" in out
    assert (tmp_path / "logs/explore/bowl.png").read_bytes()[:4] == b"\x89PNG"
    assert "pip install ipywidgets" in out


@pytest.mark.slow
@pytest.mark.kernel
def test_in_a_kernel_a_moved_slider_redraws(tmp_path):
    """explore_bowl() in a Jupyter kernel: its learning-rate slider set past the
    limit redraws the figure and the line under it."""
    import nbformat

    source = """\
from dnnlab.explore import explore_bowl
box = explore_bowl(show=False).widget()  # explore_bowl() displays it
rate = next(c for c in box.children if getattr(c, "description", "") == "learning rate")
figure, line = box.children[-2:]
before = [line.value, figure.value[:4] == b"\\x89PNG", len(figure.value)]
first = figure.value
rate.value = 1.05
after = [line.value, figure.value != first, len(figure.value)]
print(json.dumps({"before": before, "after": after}))"""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import json\n" + source)]
    nb.metadata = {"kernelspec": notebooks.KERNEL}
    notebooks.execute(nb, tmp_path, timeout=300)
    seen = json.loads(nb.cells[0].outputs[-1]["text"].splitlines()[-1])
    assert "within its stability limit 1" in seen["before"][0]
    assert "past its stability limit 1" in seen["after"][0]
    assert "the path diverges" in seen["after"][0]
    assert seen["before"][1] and seen["after"][1]  # a PNG, then another one
