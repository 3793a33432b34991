"""Figures say what they draw: a panel labelled validation (or test) draws that
data and no training curve unless it says so; every variant is in the legend; a
diverged run is marked; tick labels are plain."""

import math
from pathlib import Path

import numpy as np
import pytest

from dnnlab import plots
from dnnlab.config import Config
from dnnlab.result import Result

rng = np.random.default_rng(0)


def result(keys: tuple[str, ...], epochs: int = 4, steps: int = 0) -> Result:
    """A run whose every series is distinct random numbers, so a drawn line shows
    which one it came from."""
    history = {k: list(rng.uniform(0.5, 0.99, epochs)) for k in keys}
    trace = [(10 * (i + 1), float(v)) for i, v in enumerate(rng.uniform(0.1, 2, steps))]
    return Result(
        config=Config(name="t"),
        history=history,
        test_loss=0.3,
        test_accuracy=float(rng.uniform(0.5, 0.99)),
        train_accuracy=0.9,
        params=10,
        wall_time=1.0,
        run_dir=Path("/tmp/t"),
        trace=trace or [(10 * (i + 1), float(rng.uniform(0.1, 2))) for i in range(5)],
    )


TRAINING = ("loss", "accuracy")
KINDS = {  # the lab shapes a figure meets
    "validation": lambda: result((*TRAINING, "val_loss", "val_accuracy")),
    "test every epoch": lambda: result(
        (*TRAINING, "inference_accuracy", "test_loss", "test_accuracy")
    ),
    "training only": lambda: result(TRAINING),
    "counted in steps": lambda: result(TRAINING, epochs=1, steps=300),
}
DRAW = {
    "curves": plots.curves,
    "train_vs_validation": plots.train_vs_validation,
    "trace": plots.trace,
}


def drawn(monkeypatch, draw, results) -> list:
    figures = []
    monkeypatch.setattr(plots, "save", lambda fig, path: figures.append(fig) or path)
    draw(results, Path("/tmp/lab/run/compare.png"))
    return figures


def words(ax) -> str:
    legend = ax.get_legend()
    names = [t.get_text() for t in legend.get_texts()] if legend else []
    return " ".join([ax.get_title(), ax.get_ylabel(), *names]).lower()


def series(results: dict, keys) -> list[np.ndarray]:
    """Every run's series under keys, as drawn: the values and 100 × (1 − value)."""
    out = []
    for r in (r for seeds in results.values() for r in seeds):
        for key in keys:
            v = np.array(r.trace)[:, 1] if key == "trace" else r.history.get(key)
            if v is not None and len(v) > 1:
                out += [np.asarray(v), 100 * (1 - np.asarray(v))]
    return out


def drawn_from(line, candidates) -> bool:
    y = np.asarray(line.get_ydata(), dtype=float)
    return any(len(c) == len(y) and np.allclose(c, y) for c in candidates)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", DRAW)
def test_a_panel_is_drawn_from_the_data_its_label_names(monkeypatch, name, kind):
    results = {"a": [KINDS[kind](), KINDS[kind]()], "b": [KINDS[kind]()]}
    training = series(results, (*TRAINING, "inference_accuracy", "trace"))
    named = {
        "validation": series(results, ("val_accuracy", "val_loss")),
        "test": series(results, ("test_accuracy", "test_loss"))
        + [
            np.array([100 * (1 - r.test_accuracy)])
            for rs in results.values()
            for r in rs
        ],
    }
    for fig in drawn(monkeypatch, DRAW[name], results):
        for ax in fig.axes:
            text, lines = words(ax), [ln for ln in ax.lines if len(ln.get_ydata())]
            for held, data in named.items():
                if held in text:  # says validation (test): draws it
                    assert any(drawn_from(ln, data) for ln in lines), (name, text)
            if not any(w in text for w in ("train", "loss")):  # says no training:
                assert not any(drawn_from(ln, training) for ln in lines), text


def test_every_variant_is_named_and_a_diverged_run_is_marked(monkeypatch):
    ok = KINDS["validation"]
    gone = ok()
    gone.history["loss"] = [math.nan]
    gone.history = {k: v[:1] for k, v in gone.history.items()}
    gone.diverged_at, gone.status = 1, "diverged"
    results = {f"v{i}": [ok()] for i in range(6)} | {"boom": [gone]}
    (fig,) = drawn(monkeypatch, plots.curves, results)
    legend = " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    assert all(f"v{i}" in legend for i in range(6)) and "boom (diverged)" in legend
    looks = {
        (ln.get_color(), str(ln.get_linestyle()), ln.get_marker())
        for ln in fig.axes[0].lines
        if ln.get_marker() != "X"  # the diverged mark
    }
    assert len(looks) == len(results)  # no two variants look alike


def test_epoch_axes_have_integer_ticks_and_log_axes_plain_labels(monkeypatch):
    results = {"a": [KINDS["validation"]()]}
    (fig,) = drawn(monkeypatch, plots.curves, results)
    fig.canvas.draw()
    for ax in fig.axes:
        assert all(float(t).is_integer() for t in ax.get_xticks()), ax.get_xticks()
        labels = [t.get_text() for t in ax.get_yticklabels(which="both")]
        assert not any("10^" in s or "×" in s or "e-0" in s for s in labels), labels
