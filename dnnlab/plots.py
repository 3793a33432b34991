"""Figures as PNG files beside the TensorBoard runs; --show also opens them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

SHOW = False  # set by --show


def _pyplot():
    import matplotlib

    if not SHOW:
        matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    return plt


def save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt = _pyplot()
    if SHOW:
        plt.show()
    plt.close(fig)
    return path


def curves(results: dict, path: Path) -> Path:
    """Training loss and validation error per epoch, a line per variant, log scales.

    Error rather than accuracy: on a log scale 2 % and 3 % stay apart even beside a
    variant stuck at 90 %.
    """
    plt = _pyplot()
    fig, (loss, error) = plt.subplots(1, 2, figsize=(11, 4))
    for name, r in results.items():
        epochs = range(1, len(r.history.get("loss", [])) + 1)
        loss.plot(epochs, r.history.get("loss", []), marker="o", ms=3, label=name)
        wrong = [100 * (1 - a) for a in r.history.get("val_accuracy", [])]
        error.plot(epochs, wrong, marker="o", ms=3, label=name)
    loss.set(
        xlabel="epoch", ylabel="training loss", yscale="log", title="training loss"
    )
    error.set(xlabel="epoch", ylabel="validation error (%)", yscale="log")
    error.set_title("validation error (100 % − accuracy)")
    for ax in (loss, error):
        ax.grid(alpha=0.3, which="both")
    error.legend(fontsize=8)
    fig.suptitle(f"{path.parent.parent.name} · {path.parent.name}")
    return save(fig, path)


def distributions(acts: dict[str, list[np.ndarray]], path: Path, title: str) -> Path:
    """A row of histograms per variant, one per hidden layer, on a common x-axis.

    Exact zeros (units a ReLU switched off) are left out and counted in the title, so
    the spread of the units that fire stays visible.
    """
    plt = _pyplot()
    rows, cols = len(acts), max(len(a) for a in acts.values())
    fig, axes = plt.subplots(
        rows, cols, figsize=(2.3 * cols, 1.9 * rows), squeeze=False, sharex="row"
    )
    for r, (name, layers) in enumerate(acts.items()):
        for c, a in enumerate(layers):
            ax, values = axes[r][c], a.ravel()
            ax.hist(values[values != 0], bins=60, color=f"C{r}")
            ax.set_yticks([])
            ax.tick_params(labelsize=6)
            zeros = np.mean(values == 0)
            label = f"layer {c + 1}: std {a.std():.2g}" + (
                f", {zeros:.0%} = 0" if zeros else ""
            )
            ax.set_title(label, fontsize=7)
        axes[r][0].set_ylabel(name, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def trace(results: dict, path: Path, title: str = "training loss by iteration") -> Path:
    """Training loss against iterations, a line per variant (the optimizer slide)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for name, r in results.items():
        if r.trace:
            steps, losses = zip(*r.trace, strict=True)
            ax.plot(
                steps, losses, label=name + (" (diverged)" if r.diverged_at else "")
            )
    ax.set(xlabel="iteration", ylabel="training loss", yscale="log", title=title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return save(fig, path)


def train_vs_validation(results: dict, path: Path) -> Path:
    """Train (dashed) and validation (solid) accuracy per epoch: the overfitting gap."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for i, (name, r) in enumerate(results.items()):
        epochs = range(1, len(r.history["accuracy"]) + 1)
        ax.plot(epochs, r.history["accuracy"], "--", color=f"C{i}")
        ax.plot(epochs, r.history["val_accuracy"], "-", color=f"C{i}", label=name)
    ax.set(
        xlabel="epoch", ylabel="accuracy", title="train (dashed) vs validation (solid)"
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save(fig, path)


def best_so_far(searches: dict, path: Path) -> Path:
    """Best validation accuracy against trials, a line per search strategy."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for name, search in searches.items():
        best = search.best_so_far()
        ax.plot(
            range(1, len(best) + 1),
            [100 * b for b in best],
            marker="o",
            ms=3,
            drawstyle="steps-post",
            label=f"{name} ({len(best)} trials)",
        )
    ax.set(
        xlabel="trials",
        ylabel="best validation accuracy so far (%)",
        title="search strategies at an equal trial budget",
    )
    ax.grid(alpha=0.3)
    ax.legend()
    return save(fig, path)
