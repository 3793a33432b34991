"""Several configs -> a TensorBoard run each under one folder, one table, one figure."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from dnnlab.config import Config


def compare(
    variants: dict[str, Config],
    target: float = 0.97,
    columns: Callable[[dict], dict] | None = None,
    detail: bool = False,
    figures: dict[str, Callable] | None = None,
) -> dict:
    """Train every variant on the same data; print the table; save compare.png,
    results.json (and columns.json) in the comparison's folder.

    Args:
        target: validation accuracy whose first epoch the table reports.
        columns: results -> {title: {variant: text}}, extra columns of the table.
        detail: the full TensorBoard view (see train).
        figures: {file name: draw(results, path)}, more PNGs in the comparison folder.
    """
    from dnnlab import plots
    from dnnlab.data import load_mnist
    from dnnlab.runs import run_folder
    from dnnlab.training import check_fits, train

    first = next(iter(variants.values()))
    data = load_mnist()
    for config in variants.values():
        check_fits(config, data)  # before any folder is made
    root = run_folder(first)
    results = {}
    try:
        for name, config in variants.items():
            print(f"--- {first.name} · {name}", flush=True)
            results[name] = train(config, data, run_dir=root / name, detail=detail)
    except KeyboardInterrupt:
        if results:
            print(table(results, target, title=first.name + " (interrupted)"))
        raise
    summary = {name: r.to_dict() for name, r in results.items()}
    (root / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    drawn = [plots.curves(results, root / "compare.png")]
    drawn += [draw(results, root / file) for file, draw in (figures or {}).items()]
    extra = columns(results) if columns else None
    if extra:  # the table's extra columns, for scripts/results.py
        (root / "columns.json").write_text(json.dumps(extra, indent=2) + "\n")
    print(table(results, target, extra, title=first.name))
    print(f"tensorboard --logdir {root.parent}   ·   plot: {drawn[0]}")
    for figure in drawn[1:]:
        print(f"plot: {figure}")
    return results


def table(
    results: dict, target: float, columns: dict | None = None, title: str = ""
) -> str:
    """Train/test accuracy, their gap, epochs to target and time, a row per variant."""
    columns = columns or {}
    head = ["train acc", "test acc", "gap", f"epochs to {target:.0%}", "time"]
    head += list(columns)
    width = max(len(title), *(len(n) + 2 for n in results))
    lines = [title.ljust(width) + "".join(f"{h:>15}" for h in head)]
    for name, r in results.items():
        reached = r.epochs_to(target)
        cells = [
            _pct(r.train_accuracy),
            _pct(r.test_accuracy),
            _pct(r.train_accuracy - r.test_accuracy),
            str(reached) if reached else "—",
            f"{r.wall_time:.1f}s",
        ] + [str(col.get(name, "")) for col in columns.values()]
        note = f"  diverged at epoch {r.diverged_at}" if r.diverged_at else ""
        lines.append(
            f"  {name}".ljust(width) + "".join(f"{c:>15}" for c in cells) + note
        )
    return "\n".join(lines)


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%" if math.isfinite(x) else "nan"
