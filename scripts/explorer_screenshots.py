"""make screenshots: the bowl explorer in JupyterLab, in a real browser.

JupyterLab runs a one-cell notebook, explore_bowl(); Playwright drives Debian's
chromium (Playwright's own browser download is not used): it runs the cell, takes a
screenshot of the explorer, moves the learning-rate slider two steps to the right
(0.95 → 1.05, past plain gradient descent's stability limit 1 on this bowl) and
takes another. It fails unless the line under the figure goes from "converges" to
"diverges" and the figure changes. Writes docs/figures/explorer_bowl_before.png and
explorer_bowl_after.png.

Needs: pip install -e '.[browser]' and apt-get install chromium.
Usage: python scripts/explorer_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "explorer"
CELL = "from dnnlab.explore import explore_bowl\n\nexplore_bowl()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyterlab(folder: Path, port: int) -> subprocess.Popen:
    """JupyterLab serving folder, its settings and runtime files inside it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("CONFIG", "DATA", "RUNTIME"):
        env[f"JUPYTER_{name}_DIR"] = str(folder / f".jupyter_{name.lower()}")
    settings = folder / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)  # no "news?" pop-up over the notebook
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env["JUPYTERLAB_SETTINGS_DIR"] = str(folder / ".settings")
    jupyter = Path(sys.executable).with_name("jupyter")
    server = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--allow-root", "--ip", "127.0.0.1"]
        + [f"--port={port}", f"--ServerApp.token={TOKEN}"]
        + [f"--ServerApp.root_dir={folder}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "jupyterlab.log", "w"),  # noqa: SIM115
    )
    for _ in range(90):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api?token={TOKEN}")
            return server
        except OSError:
            time.sleep(1)
    server.kill()
    raise SystemExit(f"JupyterLab did not start: see {folder / 'jupyterlab.log'}")


def notebook(folder: Path) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, folder / "explore.ipynb")
    return "explore.ipynb"


@contextlib.contextmanager
def lab_page(url: str, height: int):
    """A JupyterLab page in Debian's chromium (Playwright), once its kernel is
    idle (a cell run earlier never runs)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1300, "height": height})
        page.goto(url)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
        yield page
        browser.close()


def drive(url: str, out: Path) -> dict:
    """Run the cell, screenshot, move the slider, screenshot: what the page
    showed before and after."""
    from playwright.sync_api import expect

    with lab_page(url, 1100) as page:
        page.locator(".jp-Cell .cm-content").first.click()
        page.keyboard.press("Shift+Enter")
        box = page.locator(".widget-vbox").first
        line = box.locator(".widget-html pre")
        line.wait_for(timeout=120_000)
        seen = {"before": line.inner_text()}
        figure = box.locator("img")
        first = figure.get_attribute("src")
        box.screenshot(path=out / "explorer_bowl_before.png")
        rate = box.locator(".widget-slider").filter(has_text="learning rate")
        handle = rate.locator(".noUi-handle")
        handle.click()  # focus it (without moving it)
        for _ in range(2):  # 0.95 → 1.0 → 1.05, a step of 0.05 each
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(300)
        expect(line).to_contain_text("at 1.05", timeout=30_000)  # a new <pre>
        seen["after"] = line.inner_text()
        seen["figure changed"] = figure.get_attribute("src") != first
        seen["readout"] = rate.locator(".widget-readout").inner_text()
        box.screenshot(path=out / "explorer_bowl_after.png")
    return seen


def main() -> int:
    out = Path(sys.argv[1]) if sys.argv[1:] else ROOT / "docs" / "figures"
    out.mkdir(parents=True, exist_ok=True)
    if not shutil.which("chromium"):
        print(
            "explorer_screenshots: needs Debian's chromium (apt-get install chromium)"
        )
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder, port = Path(tmp), free_port()
        name = notebook(folder)
        server = jupyterlab(folder, port)
        try:
            url = f"http://127.0.0.1:{port}/lab/tree/{name}?token={TOKEN}&reset"
            seen = drive(url, out)
        finally:
            server.terminate()
            server.wait(30)
    print(json.dumps(seen, indent=1, ensure_ascii=False))
    ok = "converges" in seen["before"] and "diverges" in seen["after"]
    ok = ok and seen["figure changed"]
    print(f"wrote {out / 'explorer_bowl_before.png'} and explorer_bowl_after.png")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
