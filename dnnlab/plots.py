"""Figures as PNG files beside the TensorBoard runs; --show also opens them.

A figure's words are Korean where Korean is spoken and a font with Hangul is
installed (Debian's fonts-nanum, Noto Sans CJK KR, …: HANGUL_FONTS); otherwise
English, never boxes for missing glyphs. Its texts are msg()s, shown by words().
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import numpy as np

from dnnlab import i18n
from dnnlab.files import write
from dnnlab.i18n import msg

# Fonts with Hangul, in the order tried (the first installed one draws Korean).
HANGUL_FONTS = (
    "NanumGothic",
    "NanumBarunGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Malgun Gothic",
    "AppleGothic",
    "UnDotum",
)


@functools.cache
def hangul_font() -> str | None:
    """The first of HANGUL_FONTS that matplotlib finds installed, else None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in HANGUL_FONTS if name in installed), None)


def korean() -> bool:
    """Whether figures speak Korean: Korean spoken, and a font that draws it."""
    return i18n.korean() and hangul_font() is not None


def words(text: str) -> str:
    """A figure's text: Korean where korean() (a msg, translated), else English."""
    return i18n.as_shown(text) if korean() else str(text)


def pyplot():
    """matplotlib.pyplot drawing to files (Agg); for a lab's own figure, in the
    fonts of the language spoken (use_fonts)."""
    import matplotlib

    matplotlib.use("Agg")  # drawn to files; show() opens them afterwards
    import matplotlib.pyplot as plt

    use_fonts()
    return plt


def use_fonts() -> None:
    """matplotlib's fonts for the language figures speak: in Korean DejaVu Sans
    first and the Hangul font for what it lacks (matplotlib falls back glyph by
    glyph), so the minus sign U+2212 and the log axes' mathtext stay DejaVu's
    (Nanum has no U+2212: first, it would draw a box); else the defaults."""
    import matplotlib

    family = matplotlib.rcParamsDefault["font.family"]
    if korean():
        family = ["DejaVu Sans", hangul_font()]
    matplotlib.rcParams["font.family"] = family


def save(fig, path: Path) -> Path:
    """The figure as a PNG, written whole (files.write)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return write(path, buffer.getvalue())


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


LINES = ("-", "--", ":", "-.", (0, (6, 1.5, 1, 1.5, 1, 1.5)))
MARKERS = ("o", "s", "^", "v", "D", "P", "*", "h")  # X marks a diverged run


def style(i: int) -> dict:
    """Variant i's look: a colour, a dash pattern and a marker of its own, so that
    curves which coincide stay apart (colour alone hides one under the other; hollow
    markers of different shapes show through each other)."""
    return dict(
        color=f"C{i % 10}",
        ls=LINES[i % len(LINES)],
        marker=MARKERS[i % len(MARKERS)],
        mfc="none",
    )


def _each(results: dict):
    """(style, label or None, result) for every seed of every variant."""
    for i, (name, seeds) in enumerate(results.items()):
        for k, r in enumerate(seeds):
            yield style(i), name if k == 0 else None, r


def line(ax, x, y, look: dict, label=None, points: int = 12, shift: int = 0):
    """A curve with about `points` markers (all of them for short ones), shifted by
    `shift` so that coinciding curves' markers fall apart."""
    every = max(1, len(x) // points)
    ax.plot(
        x,
        y,
        lw=1.2,
        ms=4,
        label=label,
        markevery=(shift * every // 7 % every, every),
        **look,
    )


def diverged(ax, x, look: dict, label=None):
    """A diverged run's mark: a cross on the top edge where its loss left the axis."""
    ax.plot(
        [x],
        [1],
        transform=ax.get_xaxis_transform(),
        clip_on=False,
        ls="none",
        marker="X",
        ms=9,
        color=look["color"],
        label=label,
    )


def cap(ax, curves: list) -> None:
    """A loss axis topped at 10× the 95th percentile of the finite values drawn: one
    blow-up to 1e+29 would flatten every other curve; what leaves it is seen going
    off the top (a diverged run ends in a cross there)."""
    values = np.concatenate([np.asarray(c, dtype=float) for c in curves] or [[]])
    values = values[np.isfinite(values)]
    if len(values) and values.max() > 10 * np.percentile(values, 95):
        ax.set_ylim(top=10 * np.percentile(values, 95))


def legend(ax, n: int) -> None:
    """In the axes for a few variants; below the figure, in columns, for many."""
    if n <= 10:
        ax.legend(fontsize=8)
    else:
        ax.figure.legend(
            *ax.get_legend_handles_labels(),
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=min(n, 7),
            fontsize=7,
        )


def tidy(ax, integer_x: bool = False):
    """Integer ticks on an axis of epochs or iterations, plain numbers on log axes
    (0.2, not 2×10⁻¹), a light grid. Call after the scales are set."""
    from matplotlib.ticker import LogFormatter, MaxNLocator

    class Plain(LogFormatter):
        """Matplotlib's own choice of log ticks to label, written 0.2, 3, 40 (its
        one number-writing hook, private but stable since matplotlib 2)."""

        def _num_to_string(self, x, vmin, vmax):
            return f"{x:g}"

    if integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log":
            axis.set_major_formatter(Plain(labelOnlyBase=False))
            axis.set_minor_formatter(Plain(labelOnlyBase=False))
    ax.grid(alpha=0.3, which="both")


def smoothed(x, y, points: int = 200):
    """A moving mean when a curve has more than `points` points (per-iteration
    losses are noisy), as (x, y, window); window 1 leaves it as it is."""
    window = max(1, len(y) // (points // 2)) if len(y) > points else 1
    if window == 1:
        return x, y, 1
    return x[window - 1 :], np.convolve(y, np.ones(window) / window, "valid"), window


def held_out(results: dict) -> tuple[str, str, str]:
    """The per-epoch accuracy a curve of error draws, its data's true name and what
    to say about it: validation where every run has one, else the test set after
    every epoch, else the running training accuracy, called so (never a silent
    stand-in)."""
    runs = [r for seeds in results.values() for r in seeds]
    for key, name in (
        ("val_accuracy", msg("validation")),
        ("test_accuracy", msg("test")),
    ):
        if all(r.history.get(key) for r in runs):
            return key, name, msg("100 % − accuracy")
    return "accuracy", msg("training"), msg("Keras' running mean over each epoch")


def curves(results: dict, path: Path, title: str = "") -> Path:
    """Training loss and held-out error, a line per variant and seed, log scales;
    titled `title`, else by the run folder: lab · timestamp.

    Runs counted in epochs: both per epoch. Runs counted in steps (one Keras epoch):
    the loss per recorded iteration, and the test error after training per variant.
    Error rather than accuracy: on a log scale 2 % and 3 % stay apart even beside a
    variant stuck at 90 %.
    """
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    runs = [r for seeds in results.values() for r in seeds]
    by_step = all(len(r.history.get("loss", [])) <= 1 for r in runs) and all(
        len(r.trace) > 1 for r in runs
    )
    _loss_panel(left, results, by_step)
    _error_panel(right, results, by_step)
    tidy(left, integer_x=True)  # epochs or iterations
    tidy(right, integer_x=not by_step)
    if by_step:
        right.grid(False, axis="x", which="both")
    legend(left, len(results))
    fig.suptitle(words(title) or f"{path.parent.parent.name} · {path.parent.name}")
    return save(fig, path)


def _loss_panel(ax, results: dict, by_step: bool) -> None:
    """curves' left panel: the training loss of each run, diverged runs marked."""
    window, drawn = 1, []
    for i, (variant, seeds) in enumerate(results.items()):
        look = style(i)
        for k, r in enumerate(seeds):
            label = variant if k == 0 else None
            if by_step:
                x, y = (np.array(v, dtype=float) for v in zip(*r.trace, strict=True))
                if np.isfinite(y).all():
                    x, y, window = smoothed(x, y)
            else:
                y = np.array(r.history.get("loss", []), dtype=float)
                x = np.arange(1, len(y) + 1)
            ok = np.isfinite(y)
            drawn.append(y)
            if r.diverged_at or not ok.all():
                gone = x[~ok][0] if (~ok).any() else x[-1]
                line(ax, x[ok], y[ok], look, shift=i)
                marked = words(msg("{variant} (diverged)", variant=label))
                diverged(ax, gone, look, marked if label else None)
            else:
                line(ax, x, y, look, label, shift=i)
    ax.set(yscale="log", ylabel=words(msg("training loss")))
    cap(ax, drawn)
    ax.set(xlabel=words(msg("iteration") if by_step else msg("epoch")))
    title = msg("training loss by iteration") if by_step else msg("training loss")
    if window > 1:
        title = msg("{title} (moving mean of {window})", title=title, window=window)
    ax.set_title(words(title))


def _error_panel(ax, results: dict, by_step: bool) -> None:
    """curves' right panel: the held-out error by epoch, or per seed after a run
    counted in steps."""
    key, name, note = held_out(results)
    name, note = words(name), words(note)
    for i, seeds in enumerate(results.values()):
        look = style(i)
        for k, r in enumerate(seeds):
            if by_step:
                error, at = 100 * (1 - r.test_accuracy), i + 0.1 * (k - len(seeds) / 2)
                ax.plot([at], [error], ms=6, **{**look, "ls": "none"})
            else:
                acc = np.array(r.history.get(key, []), dtype=float)
                line(ax, np.arange(1, len(acc) + 1), 100 * (1 - acc), look, shift=i)
    if by_step:
        ax.set_xticks(range(len(results)), list(results), rotation=30, ha="right")
        ax.set(ylabel=words(msg("test error (%)")), yscale="log")
        ax.set_title(
            words(msg("test error after training (100 % − accuracy), per seed"))
        )
        ax.set_xlim(-0.5, len(results) - 0.5)
    else:
        ax.set(xlabel=words(msg("epoch")), yscale="log")
        ax.set(ylabel=words(msg("{data} error (%)", data=name)))
        ax.set_title(words(msg("{data} error ({note})", data=name, note=note)))


def distributions(acts: dict[str, list[np.ndarray]], path: Path, title: str) -> Path:
    """A row of histograms per variant, one per hidden layer, each on its own
    x-axis (the spread is in the title: a shared axis flattens the narrow ones).

    Exact zeros (units a ReLU switched off) are left out and counted in the title, so
    the spread of the units that fire stays visible.
    """
    plt = pyplot()
    rows, cols = len(acts), max(len(a) for a in acts.values())
    fig, axes = plt.subplots(
        rows, cols, figsize=(2.3 * cols, 1.9 * rows), squeeze=False
    )
    for r, (name, layers) in enumerate(acts.items()):
        for c, a in enumerate(layers):
            ax, values = axes[r][c], a.ravel()
            ax.hist(values[values != 0], bins=60, color=f"C{r}")
            ax.set_yticks([])
            ax.tick_params(labelsize=6)
            zeros = np.mean(values == 0)
            label = msg("layer {layer}: std {std:.2g}", layer=c + 1, std=a.std())
            if zeros:
                label = msg("{label}, {zeros:.0%} = 0", label=label, zeros=zeros)
            ax.set_title(words(label), fontsize=7)
        axes[r][0].set_ylabel(name, fontsize=8)
    fig.suptitle(words(title))
    fig.tight_layout()
    return save(fig, path)


def trace(
    results: dict,
    path: Path,
    title: str = msg("training loss by iteration"),
    smooth: int = 1,
    ylim: tuple[float, float] | None = None,
) -> Path:
    """Training loss against iterations, a line per variant and seed (the optimizer
    slide). smooth > 1: a moving mean over that many points on a linear axis from
    `ylim`, as the textbook draws it; else a log axis."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    drawn = []
    for i, (name, seeds) in enumerate(results.items()):
        look = style(i)
        for k, r in enumerate(seeds):
            label = name if k == 0 else None
            if not r.trace:
                continue
            steps, losses = (
                np.array(v, dtype=float) for v in zip(*r.trace, strict=True)
            )
            ok = np.isfinite(losses)
            gone = steps[~ok][0] if (~ok).any() else None
            steps, losses = steps[ok], losses[ok]
            if smooth > 1 and len(losses) >= smooth:
                losses = np.convolve(losses, np.ones(smooth) / smooth, mode="valid")
                steps = steps[smooth - 1 :]
            if gone is not None:
                marked = words(msg("{variant} (diverged)", variant=label))
                diverged(ax, gone, look, marked if label else None)
                label = None
            line(ax, steps, losses, look, label, shift=i)
            drawn.append(losses)
    ax.set(
        xlabel=words(msg("iteration")),
        ylabel=words(msg("training loss")),
        title=words(title),
    )
    if ylim:
        ax.set_ylim(*ylim)
    else:
        ax.set_yscale("log")
        cap(ax, drawn)
    tidy(ax, integer_x=True)
    legend(ax, len(results))
    return save(fig, path)


def labelled(look: dict) -> dict:
    """A line's style with its label, if it has one, in the figure's words."""
    return {**look, "label": words(look["label"])} if look.get("label") else look


def panels(
    grid: dict[str, list[tuple]],
    path: Path,
    title: str,
    cols: int = 4,
    ylim: tuple[float, float] = (0, 1),
    xlabel: str = msg("epoch"),
    ylabel: str = msg("accuracy"),
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
            ax.plot(range(1, len(values) + 1), values, lw=1, **labelled(style))
        ax.set_title(words(name), fontsize=9)
        ax.set_ylim(*ylim)
        tidy(ax, integer_x=True)
    for ax in axes.flat[len(grid) :]:
        ax.set_axis_off()
    for ax in axes[-1]:
        ax.set_xlabel(words(xlabel))
    for ax in axes[:, 0]:
        ax.set_ylabel(words(ylabel))
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
    fig.suptitle(words(title))
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return save(fig, path)


def train_vs_validation(results: dict, path: Path) -> Path:
    """Train (dashed) and validation (solid) accuracy per epoch: the overfitting gap.
    Train is Keras' running mean over each epoch, with dropout on. Without a
    validation set the solid line is the test set's, and says so."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    key, name, _ = held_out(results)
    for i, (variant, seeds) in enumerate(results.items()):
        look = style(i)
        for k, r in enumerate(seeds):
            label = variant if k == 0 else None
            epochs = np.arange(1, len(r.history["accuracy"]) + 1)
            train = {**look, "ls": "--"}
            line(ax, epochs, r.history["accuracy"], train, label, shift=i)
            if key != "accuracy":
                held = r.history[key]
                line(ax, epochs[: len(held)], held, {**look, "ls": "-"}, shift=i)
    ax.set(xlabel=words(msg("epoch")), ylabel=words(msg("accuracy")))
    if key != "accuracy":
        title = msg(
            "train (dashed, running mean with dropout on) vs {data} (solid)", data=name
        )
    else:
        title = msg("training accuracy (running mean with dropout on); no held-out set")
    ax.set_title(words(title))
    tidy(ax, integer_x=True)
    legend(ax, len(results))
    return save(fig, path)


def train_vs_test(results: dict, path: Path, title: str) -> Path:
    """A panel per variant: training accuracy (inference mode) and test accuracy
    after every epoch, a line per seed, as the textbook draws overfitting."""
    grid = {
        name: [
            (r.history[key], dict(color=color, label=label if k == 0 else None))
            for k, r in enumerate(seeds)
            for key, color, label in (
                ("inference_accuracy", "C0", msg("train")),
                ("test_accuracy", "C1", msg("test")),
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
    ax.set(xscale="log", yscale="log", xlabel=words(xlabel), ylabel=words(ylabel))
    tidy(ax)
    fig.colorbar(dots, ax=ax, label=words(colorbar))
    return save(fig, path)


def best_so_far(results: dict, path: Path, budgets: tuple[int, ...] = ()) -> Path:
    """Best validation accuracy against trials per search strategy: the mean over
    its repetitions (seeds), shaded ± one standard error; dotted: the budgets
    compared."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for i, (name, seeds) in enumerate(results.items()):
        curves = [r.extras["best_so_far"] for r in seeds]
        longest = max(map(len, curves))  # a search that ended sooner keeps its best
        y = 100 * np.array([c + [c[-1]] * (longest - len(c)) for c in curves])
        x = np.arange(1, longest + 1)
        mean = y.mean(axis=0)
        label = f"{name} (n = {len(curves)})" if len(curves) > 1 else name
        ax.plot(x, mean, ms=5, drawstyle="steps-post", label=label, **style(i))
        if len(curves) > 1:
            se = y.std(axis=0, ddof=1) / np.sqrt(len(curves))
            color = ax.lines[-1].get_color()
            ax.fill_between(
                x, mean - se, mean + se, step="post", color=color, alpha=0.15, lw=0
            )
    for b in budgets:
        ax.axvline(b, color="0.6", ls=":", lw=1)
    ax.set(
        xlabel=words(msg("trials")),
        ylabel=words(msg("best validation accuracy so far (%)")),
    )
    ax.set_title(words(msg("search strategies at an equal trial budget (mean ± SE)")))
    tidy(ax, integer_x=True)
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
    ax.set(xticks=range(10), yticks=range(10))
    ax.set(xlabel=words(msg("predicted")), ylabel=words(msg("true")))
    ax.set_title(words(title), fontsize=9)
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
        ax.text(x, y, words(caption), ha="center", va="bottom", fontsize=7)
    ax.set_axis_off()
    fig.suptitle(words(title), fontsize=9)
    return save(fig, path)
