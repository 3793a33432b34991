"""Figures as PNG files beside the TensorBoard runs; --show also opens them."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def pyplot():
    """matplotlib.pyplot drawing to files (Agg); for a lab's own figure."""
    import matplotlib

    matplotlib.use("Agg")  # drawn to files; show() opens them afterwards
    import matplotlib.pyplot as plt

    return plt


def save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return path


def show(paths: list[Path]) -> None:
    """Open the saved figures in a window each (--show)."""
    import matplotlib

    try:
        matplotlib.use("TkAgg", force=True)
    except ImportError:
        print("dnnlab: --show needs a display; the figures are saved as PNG files")
        return
    import matplotlib.pyplot as plt

    for path in paths:
        fig, ax = plt.subplots()
        ax.imshow(plt.imread(path))
        ax.set_axis_off()
        ax.set_title(path.name)
    plt.show()


def _each(results: dict):
    """(color, label or None, result) for every seed of every variant."""
    for i, (name, seeds) in enumerate(results.items()):
        for k, r in enumerate(seeds):
            yield f"C{i % 10}", name if k == 0 else None, r


def curves(results: dict, path: Path, title: str = "") -> Path:
    """Training loss and validation error per epoch, a line per variant and seed,
    log scales; titled `title`, else by the run folder: lab · timestamp.

    Error rather than accuracy: on a log scale 2 % and 3 % stay apart even beside a
    variant stuck at 90 %.
    """
    plt = pyplot()
    fig, (loss, error) = plt.subplots(1, 2, figsize=(11, 4))
    for color, label, r in _each(results):
        epochs = range(1, len(r.history.get("loss", [])) + 1)
        style = dict(marker="o", ms=3, color=color, label=label)
        loss.plot(epochs, r.history.get("loss", []), **style)
        acc = r.history.get("val_accuracy") or r.history.get("accuracy", [])
        error.plot(epochs, [100 * (1 - a) for a in acc], **style)
    loss.set(xlabel="epoch", ylabel="training loss", yscale="log")
    loss.set_title("training loss")
    error.set(xlabel="epoch", ylabel="validation error (%)", yscale="log")
    error.set_title("validation error (100 % − accuracy)")
    for ax in (loss, error):
        ax.grid(alpha=0.3, which="both")
    error.legend(fontsize=8)
    fig.suptitle(title or f"{path.parent.parent.name} · {path.parent.name}")
    return save(fig, path)


def distributions(acts: dict[str, list[np.ndarray]], path: Path, title: str) -> Path:
    """A row of histograms per variant, one per hidden layer, on a common x-axis.

    Exact zeros (units a ReLU switched off) are left out and counted in the title, so
    the spread of the units that fire stays visible.
    """
    plt = pyplot()
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


def trace(
    results: dict,
    path: Path,
    title: str = "training loss by iteration",
    smooth: int = 1,
    ylim: tuple[float, float] | None = None,
) -> Path:
    """Training loss against iterations, a line per variant and seed (the optimizer
    slide). smooth > 1: a moving mean over that many points on a linear axis from
    `ylim`, as the textbook draws it; else a log axis."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for color, label, r in _each(results):
        if r.trace:
            steps, losses = (np.array(v) for v in zip(*r.trace, strict=True))
            if smooth > 1 and len(losses) >= smooth:
                losses = np.convolve(losses, np.ones(smooth) / smooth, mode="valid")
                steps = steps[smooth - 1 :]
            if label and r.diverged_at:
                label += " (diverged)"
            ax.plot(steps, losses, color=color, label=label, lw=1)
    ax.set(xlabel="iteration", ylabel="training loss", title=title)
    if ylim:
        ax.set_ylim(*ylim)
    else:
        ax.set_yscale("log")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return save(fig, path)


def panels(
    grid: dict[str, list[tuple]],
    path: Path,
    title: str,
    cols: int = 4,
    ylim: tuple[float, float] = (0, 1),
    xlabel: str = "epoch",
    ylabel: str = "accuracy",
) -> Path:
    """Small multiples, as the textbook's grids: {panel title: [(y values, style
    dict), ...]}, a line per tuple, x = 1, 2, ...; one legend from labelled lines."""
    plt = pyplot()
    rows = -(-len(grid) // cols)
    width = max(2.6, 10 / cols)  # inches per panel: two panels fill a page too
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(width * cols, 0.8 * width * rows),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    for ax, (name, lines) in zip(axes.flat, grid.items(), strict=False):
        for values, style in lines:
            ax.plot(range(1, len(values) + 1), values, lw=1, **style)
        ax.set_title(name, fontsize=9)
        ax.set_ylim(*ylim)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(grid) :]:
        ax.set_axis_off()
    for ax in axes[-1]:
        ax.set_xlabel(xlabel)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            labels,
            loc="lower center",
            ncol=len(labels),
            fontsize=8,
            bbox_to_anchor=(0.5, -0.02),
        )
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return save(fig, path)


def train_vs_validation(results: dict, path: Path) -> Path:
    """Train (dashed) and validation (solid) accuracy per epoch: the overfitting gap."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for color, label, r in _each(results):
        epochs = range(1, len(r.history["accuracy"]) + 1)
        ax.plot(epochs, r.history["accuracy"], "--", color=color)
        ax.plot(
            epochs, r.history.get("val_accuracy", []), "-", color=color, label=label
        )
    ax.set(xlabel="epoch", ylabel="accuracy")
    ax.set_title("train (dashed) vs validation (solid)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save(fig, path)


def train_vs_test(results: dict, path: Path, title: str) -> Path:
    """A panel per variant: training accuracy (inference mode) and test accuracy
    after every epoch, a line per seed, as the textbook draws overfitting."""
    grid = {
        name: [
            (r.history[key], dict(color=color, label=label if k == 0 else None))
            for k, r in enumerate(seeds)
            for key, color, label in (
                ("inference_accuracy", "C0", "train"),
                ("test_accuracy", "C1", "test"),
            )
        ]
        for name, seeds in results.items()
    }
    return panels(grid, path, title, cols=len(grid))


def scatter(x, y, values, path: Path, xlabel: str, ylabel: str, colorbar: str) -> Path:
    """Points on log–log axes, coloured by value: a search's trials at a glance."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    dots = ax.scatter(x, y, c=values, cmap="viridis", s=22)
    ax.set(xscale="log", yscale="log", xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, which="both")
    fig.colorbar(dots, ax=ax, label=colorbar)
    return save(fig, path)


def best_so_far(results: dict, path: Path) -> Path:
    """Best validation accuracy against trials, a line per search strategy and seed."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for color, label, r in _each(results):
        best = r.extras["best_so_far"]
        ax.plot(
            range(1, len(best) + 1),
            [100 * b for b in best],
            marker="o",
            ms=3,
            color=color,
            drawstyle="steps-post",
            label=label,
        )
    ax.set(xlabel="trials", ylabel="best validation accuracy so far (%)")
    ax.set_title("search strategies at an equal trial budget")
    ax.grid(alpha=0.3)
    ax.legend()
    return save(fig, path)


def confusion(matrix: np.ndarray, path: Path, title: str) -> Path:
    """The test confusion matrix: true digit by row, predicted by column."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    shown = np.where(np.eye(10, dtype=bool), 0, matrix)  # the errors stand out
    ax.imshow(shown, cmap="Reds")
    for (i, j), n in np.ndenumerate(matrix):
        if n:
            ax.text(
                j,
                i,
                str(n),
                ha="center",
                va="center",
                fontsize=6,
                color="black" if i != j else "tab:blue",
            )
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true")
    ax.set_title(title, fontsize=9)
    return save(fig, path)


def digits(images: np.ndarray, captions: list[str], path: Path, title: str) -> Path:
    """A row or two of 28×28 digits with a caption each, as one mosaic (one Axes, not
    one per digit: a sixth of the drawing time). Weights (negative values) are drawn
    blue + / red −, each scaled to its own largest |w|, white at 0."""
    plt = pyplot()
    cols = min(8, len(images))
    rows = max(1, -(-len(images) // cols))
    weights = images.min() < 0
    tile, gap = 28, 8  # the gap leaves room for the caption above each digit
    mosaic = np.full((rows * (tile + gap), cols * (tile + 2)), np.nan)
    for k, image in enumerate(images):
        image = image.reshape(28, 28)
        if weights:
            image = image / max(np.abs(image).max(), 1e-12)
        r, c = divmod(k, cols)
        top, left = r * (tile + gap) + gap, c * (tile + 2) + 1
        mosaic[top : top + tile, left : left + tile] = image
    fig, ax = plt.subplots(figsize=(1.2 * cols, 1.45 * rows))
    cmap = plt.get_cmap("RdBu" if weights else "gray_r").with_extremes(bad="white")
    ax.imshow(mosaic, cmap=cmap, vmin=-1 if weights else 0, vmax=1)
    for k, caption in enumerate(captions[: len(images)]):
        r, c = divmod(k, cols)
        x, y = c * (tile + 2) + 1 + tile / 2, r * (tile + gap) + gap - 1
        ax.text(x, y, caption, ha="center", va="bottom", fontsize=7)
    ax.set_axis_off()
    fig.suptitle(title, fontsize=9)
    return save(fig, path)
