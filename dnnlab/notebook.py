"""A lab in a Jupyter kernel (a notebook, Colab): what changes from a terminal.

Lab.run asks `active()`; in a kernel it parses no argv of the kernel's own (the
notebook passes its flags as `argv`), an error is one line (a LabError, which
IPython shows as that line instead of a traceback or SystemExit), Keras' progress
bar is on, the figures are shown under the cell and the table and the verdict are
Markdown. The notebooks themselves are generated from the labs (make notebooks).
"""

from __future__ import annotations

import sys
from pathlib import Path


def active() -> bool:
    """Whether this Python is a Jupyter kernel."""
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


class LabError(Exception):
    """A lab's one-line error in a notebook: IPython shows what _render_traceback_
    returns instead of the traceback."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def fail(line: str, code: int):
    """End the lab with one line: on stderr with an exit code in a terminal, a
    LabError in a kernel (the cell stops, the kernel lives on)."""
    if active():
        raise LabError(line) from None
    print(line, file=sys.stderr)
    sys.exit(code)


def markdown(text: str, plain: str) -> None:
    """Show Markdown under the cell; `plain` where Markdown is not rendered."""
    from IPython.display import display

    display({"text/markdown": text, "text/plain": plain}, raw=True)


def images(paths: list[Path]) -> None:
    """Show the lab's saved figures under the cell."""
    from IPython.display import Image, display

    for path in paths:
        display(Image(filename=str(path)))
