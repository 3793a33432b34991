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


def curves(results: dict, path: Path, metrics=("loss", "val_accuracy")) -> Path:
    """One panel per metric, one line per variant, against the epoch."""
    plt = _pyplot()
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(5.5 * len(metrics), 4), squeeze=False
    )
    for ax, metric in zip(axes[0], metrics, strict=True):
        for name, r in results.items():
            ys = r.history.get(metric, [])
            ax.plot(range(1, len(ys) + 1), ys, marker="o", ms=3, label=name)
        ax.set(
            xlabel="epoch",
            ylabel=metric.replace("_", " "),
            title=metric.replace("_", " "),
        )
        if metric.endswith("loss"):
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=8)
    fig.suptitle(path.parent.parent.name + " · " + path.parent.name)
    return save(fig, path)


def distributions(acts: dict[str, list[np.ndarray]], path: Path, title: str) -> Path:
    """A grid of histograms: a row per variant, a column per hidden layer's outputs."""
    plt = _pyplot()
    rows, cols = len(acts), max(len(a) for a in acts.values())
    fig, axes = plt.subplots(
        rows, cols, figsize=(2.2 * cols, 1.8 * rows), squeeze=False
    )
    for r, (name, layers) in enumerate(acts.items()):
        for c, a in enumerate(layers):
            ax = axes[r][c]
            ax.hist(a.ravel(), bins=50, color=f"C{r}")
            ax.set_yticks([])
            ax.tick_params(labelsize=6)
            ax.set_title(f"layer {c + 1}  std {a.std():.2g}", fontsize=7)
        axes[r][0].set_ylabel(name, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)
