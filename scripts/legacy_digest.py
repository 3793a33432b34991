"""What a lab of an old commit declares, from before a lab was data (a LAB): the
arguments its `__main__` block hands to run_lab, captured by running the file with
run_lab replaced. The one place that patches run_lab: `make stale` compares the
saved results' commits, whose labs have this form, with the code of now."""

from __future__ import annotations

import runpy
from pathlib import Path


def spec(path: Path) -> dict:
    """What an old lab hands to run_lab (variants, claim, extras, figures, fit…),
    from running its file with run_lab replaced; nothing trains."""
    import dnnlab
    import dnnlab.lab

    got: dict = {}

    def capture(variants, claim, **kwargs):
        got.update(kwargs, variants=variants, claim=claim)

    real = dnnlab.run_lab
    dnnlab.run_lab = dnnlab.lab.run_lab = capture
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        dnnlab.run_lab = dnnlab.lab.run_lab = real
    if isinstance(got["variants"], dnnlab.Config):
        got["variants"] = {"net": got["variants"]}
    return got
