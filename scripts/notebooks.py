"""make notebooks: every lab as a Jupyter notebook, generated from its script.

The lab stays the one source: its header docstring becomes the first Markdown cell,
its code the code cells (a cell per function), its `run_lab(...)` the last one, with
the flags from a `flags` cell before it (as on the command line; in CI the quick
run's). A first cell finds dnnlab (this repository, or installs it: Colab), a last
one opens TensorBoard inline (tagged skip-execution: CI does not start it).
Cell ids are their places, so an unchanged lab gives the same cells; a notebook
whose cells are unchanged is left as it is, outputs and all.

Usage: python scripts/notebooks.py             write notebooks/ (changed labs only)
       python scripts/notebooks.py run [LAB…]  execute in place with the defaults
                                               (default: the seven slide labs)
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dnnlab import registry  # noqa: E402

OUT = ROOT / "notebooks"
# The address Colab installs dnnlab from: the course puts its repository here.
PACKAGE = "dnnlab @ git+https://github.com/COURSE/dnnlab"
SETUP = f"""\
# dnnlab: from the repository this notebook lies in, else installed (Colab).
# MNIST: from $DNNLAB_DATA_DIR if set, else Keras downloads it once.
import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("dnnlab") is None:
    here = [Path.cwd(), *Path.cwd().parents]
    repo = next((p for p in here if (p / "dnnlab").is_dir()), None)
    if repo is not None:
        sys.path.insert(0, str(repo))
    else:
        get_ipython().run_line_magic("pip", "install -q '{PACKAGE}'")"""
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}
FLAGS = (
    '# The lab\'s flags, as after `python labs/…py` (`"--help"` lists them), e.g.\n'
    '# flags = "--epochs 3 --seeds 3"\n'
    'flags = ""'
)


def header(doc: str, lab: registry.Lab) -> str:
    """The docstring's "Key: text" paragraphs as Markdown, the title a heading."""
    fields: list[list[str]] = []
    for line in doc.strip().splitlines():
        key = re.match(r"^([A-Z][a-z]+): ", line)
        if key:
            fields.append([key.group(1), line[key.end() :]])
        else:
            fields[-1][1] += " " + line.strip()
    out = []
    for key, text in fields:
        if key == "Title":
            out.append(f"# {text}")
        elif key == "Run":
            out.append(f"As a script: `{text}`; `make {lab.target}`.")
        else:
            out.append(f"**{key}:** {text}")
    return "\n\n".join(out)


def preamble(node: ast.stmt, source: str) -> bool:
    """Whether a statement is the script's way to find dnnlab (the setup cell's job
    in a notebook): the sys.path line, and its imports where nothing else uses them."""
    code = ast.unparse(node)
    if code.startswith("sys.path.insert(0, str(Path(__file__)"):
        return True
    used = {"import sys": "sys.", "from pathlib import Path": "Path("}.get(code)
    return used is not None and source.count(used) == 1  # the sys.path line's


def chunks(tree: ast.Module, source: str) -> list[str]:
    """The statements before the main block, grouped into cells: each function or
    class its own, those between them together (with the comments above them)."""
    lines = source.splitlines()
    cells: list[list[str]] = []
    end, after_def = tree.body[0].end_lineno, True  # after the docstring
    for node in tree.body[1:]:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            break
        if not preamble(node, source):
            is_def = isinstance(node, ast.FunctionDef | ast.ClassDef)
            if is_def or after_def:
                cells.append([])
            cells[-1] += lines[end : node.end_lineno]
            after_def = is_def
        end = node.end_lineno
    return ["\n".join(c).strip("\n") for c in cells if "".join(c).strip()]


def run_cell(main: str) -> str:
    """The main block's code, dedented: `results = run_lab(..., argv=flags)`."""
    code = textwrap.dedent(main)
    call = next(
        n
        for n in ast.walk(ast.parse(code))
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "run_lab"
    )
    lines = code.splitlines()
    row, close = call.end_lineno - 1, call.end_col_offset - 1  # the call's ")"
    if call.lineno == call.end_lineno:
        lines[row] = lines[row][:close] + ", argv=flags" + lines[row][close:]
    else:  # one argument a line, each ending in a comma
        lines.insert(row, " " * (call.col_offset + 4) + "argv=flags,")
    first = lines[call.lineno - 1]
    col = call.col_offset
    lines[call.lineno - 1] = first[:col] + "results = " + first[col:]
    return "\n".join(lines)


def notebook(lab: registry.Lab) -> nbformat.NotebookNode:
    source = lab.file.read_text()
    tree = ast.parse(source)
    (main,) = [
        n
        for n in tree.body
        if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test)
    ]
    main_src = "\n".join(source.splitlines()[main.body[0].lineno - 1 : main.end_lineno])
    name = lab.file.stem
    new = nbformat.v4
    cells = [
        new.new_markdown_cell(header(ast.get_docstring(tree), lab)),
        new.new_code_cell(SETUP),
        *(new.new_code_cell(c) for c in chunks(tree, source)),
        new.new_markdown_cell("## Run the lab"),
        new.new_code_cell(FLAGS, metadata={"tags": ["parameters"]}),
        new.new_code_cell(run_cell(main_src)),
        new.new_markdown_cell(
            "## TensorBoard\n\nThe runs of this lab, inline (in a terminal: "
            f"`tensorboard --logdir logs/{name}`)."
        ),
        new.new_code_cell(
            f"%load_ext tensorboard\n%tensorboard --logdir logs/{name}",
            metadata={"tags": ["skip-execution"]},
        ),
    ]
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i}"
    nb = new.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    return nb


def path(lab: registry.Lab) -> Path:
    return OUT / f"{lab.path}.ipynb"


def sources(nb) -> list[tuple]:
    """What a notebook is made of, outputs aside: each cell's id, kind, tags, text."""
    return [
        (c.get("id"), c.cell_type, tuple(c.metadata.get("tags", ())), c.source)
        for c in nb.cells
    ]


def generate() -> list[Path]:
    """Write each lab's notebook where its cells changed; the paths written."""
    written = []
    for lab in registry.LABS:
        nb, file = notebook(lab), path(lab)
        if file.is_file() and sources(nbformat.read(file, 4)) == sources(nb):
            continue
        file.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, file)
        written.append(file)
    return written


def execute(nb, cwd: Path, timeout: int | None = None):
    """Run a notebook top to bottom in a fresh kernel, in cwd; it, with outputs."""
    from nbclient import NotebookClient

    NotebookClient(
        nb,
        timeout=timeout,
        coalesce_streams=True,  # one text per cell, the progress bar's last state
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    return nb


if __name__ == "__main__":
    if sys.argv[1:2] == ["run"]:  # the named labs, else the seven slide labs
        by_path = {lab.path: lab for lab in registry.LABS}
        chosen = [by_path[n] for n in sys.argv[2:]] or registry.group("labs")
        for lab in chosen:
            file = path(lab)
            print(f"running {file.relative_to(ROOT)}", flush=True)
            nbformat.write(execute(nbformat.read(file, 4), file.parent), file)
    else:
        for file in generate():
            print(f"wrote {file.relative_to(ROOT)}")
