"""make screenshots: a Korean notebook as JupyterLab shows it, in a real browser.

Opens the committed, executed notebooks/ko/DNN_softmax.ipynb in JupyterLab (a copy,
in a temporary folder), with Playwright driving Debian's chromium, scrolls to the
run cell's table and verdict, and takes a screenshot: docs/figures/jupyterlab_ko.png.
It fails unless the page shows the Korean verdict and the browser has a font with
Hangul (fonts-nanum: apt-get install fonts-nanum), so no syllable is a box.

Needs: pip install -e '.[browser]' and apt-get install chromium fonts-nanum.
Usage: python scripts/korean_screenshot.py [OUT.png]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from explorer_screenshots import ROOT, TOKEN, free_port, jupyterlab, lab_page

NOTEBOOK = ROOT / "notebooks" / "ko" / "DNN_softmax.ipynb"


def drive(url: str, out: Path) -> dict:
    """The notebook's run cell in view, screenshot; what the page showed."""
    with lab_page(url, 1000) as page:
        verdict = page.get_by_text("판정: ").last
        verdict.scroll_into_view_if_needed(timeout=60_000)
        page.mouse.wheel(0, 250)  # the verdict low on the page, the table above it
        page.wait_for_timeout(1500)
        seen = {
            "verdict": verdict.inner_text(),
            "hangul font": page.evaluate(
                "document.fonts.check('16px NanumGothic', '판정')"
            ),
        }
        page.screenshot(path=out)
    return seen


def main() -> int:
    out = Path(sys.argv[1]) if sys.argv[1:] else ROOT / "docs/figures/jupyterlab_ko.png"
    if not shutil.which("chromium"):
        print("korean_screenshot: needs Debian's chromium (apt-get install chromium)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder, port = Path(tmp), free_port()
        shutil.copy(NOTEBOOK, folder / NOTEBOOK.name)
        server = jupyterlab(folder, port)
        try:
            url = (
                f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK.name}?token={TOKEN}&reset"
            )
            seen = drive(url, out)
        finally:
            server.terminate()
            server.wait(30)
    print(seen)
    print(f"wrote {out}")
    return 0 if seen["verdict"].startswith("판정: ") and seen["hangul font"] else 1


if __name__ == "__main__":
    sys.exit(main())
