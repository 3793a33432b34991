"""make notebooks: every lab as a Jupyter notebook, generated from its script.

The lab stays the one source: its declaration's text (LAB's title, slide, …)
becomes the first Markdown cell, its module's code the code cells (a cell per
function, as inspect finds them), `results = LAB.run(argv=flags)` the last one, with
the flags from a `flags` cell before it (as on the command line; in CI the quick
run's). A first cell finds dnnlab (this repository, or installs it: Colab), a last
one opens TensorBoard inline (tagged skip-execution: CI does not start it).
Cell ids are their places, so an unchanged lab gives the same cells; a notebook
whose cells are unchanged is left as it is, outputs and all.

Each lab has a Korean notebook too, notebooks/ko/<lab>.ipynb: the same cells,
its Markdown and outputs in Korean (dnnlab.i18n), the code the same but for one
cell that chooses the language.

Usage: python scripts/notebooks.py             write notebooks/ and notebooks/ko/
                                               (changed labs only)
       python scripts/notebooks.py run [--lang en|ko] [LAB…]
                                               execute in place with the defaults
                                               (default: the seven slide labs, in
                                               both languages)
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from dnnlab import i18n, registry  # noqa: E402
from dnnlab.i18n import _  # noqa: E402

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


def header(lab: registry.Entry) -> str:
    """The lab's text as Markdown, the title a heading."""
    out = []
    for key, text in lab.declaration().header():
        if key == "Title":
            out.append(f"# {_(text)}")
        elif key == "Run":
            line = _("As a script: `{command}`; `make {target}`.")
            out.append(line.format(command=text, target=lab.target))
        else:
            out.append(f"**{_(key)}:** {_(text)}")
    if i18n.korean():
        out.append(_("[English](../{name}.ipynb)").format(name=lab.path))
    return "\n\n".join(out)


# The cell that makes a Korean notebook speak Korean (the code otherwise the same).
KOREAN = 'from dnnlab import i18n\n\ni18n.use("ko")  # 출력: 한국어'


# The script's way to find dnnlab: the setup cell's job in a notebook.
PREAMBLE = (
    "sys.path.insert(0, str(Path(__file__).resolve().parents[",
    "import sys",
    "from pathlib import Path",
)
MAIN = 'if __name__ == "__main__":'


def preamble(line: str, source: str) -> bool:
    """Whether a line is the sys.path line, or an import only it uses."""
    if line.startswith(PREAMBLE[0]):
        return True
    used = {"import sys": "sys.", "from pathlib import Path": "Path("}.get(line)
    return used is not None and source.count(used) == 1


def code_only(lines: list[str]) -> int:
    """How many of the lines are statements: up to the last that is code (the
    comments and blank lines after it go with the definition below them)."""
    code = [i for i, line in enumerate(lines) if line.strip() and line[0] != "#"]
    return code[-1] + 1 if code else 0


def chunks(lab: registry.Entry) -> list[str]:
    """The module's code before its __main__ block, as cells: each function or
    class its own (with the comments above it), the statements between them
    together; the preamble left out."""
    lab.declaration()
    module = sys.modules[lab.module]
    source = inspect.getsource(module)
    lines = source.splitlines()
    lines = [line for line in lines[: lines.index(MAIN)] if not preamble(line, source)]
    text = "\n".join(lines)
    own = [
        obj
        for obj in vars(module).values()
        if (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
        and obj.__name__ != "<lambda>"
    ]
    spans = []  # each top-level definition's (first, end) line in `lines`
    for obj in own:
        body = inspect.getsource(obj).rstrip("\n")
        if body[:1].isspace() or f"\n{body}" not in f"\n{text}":
            continue  # made inside something else
        first = text[: f"\n{text}".index(f"\n{body}")].count("\n")
        spans.append((first, first + body.count("\n") + 1))
    cells, at = [], 0
    for first, end in sorted(spans):
        if first < at:
            continue
        between = lines[at:first]
        n = code_only(between)
        if n:
            cells.append(between[:n])
        cells.append(between[n:] + lines[first:end])
        at = end
    cells.append(lines[at:])
    return ["\n".join(c).strip("\n") for c in cells if "".join(c).strip()]


RUN = "results = LAB.run(argv=flags)"


ANSWER = (
    "# Your answer: one of the choices above, as text, before you run the lab.\n"
    'prediction = ""'
)
REVIEW = "LAB.review(prediction, results)"


def predict_first(declared) -> list:
    """The claim's question (its LAB's prediction) and a cell for the answer."""
    new = nbformat.v4
    return [
        new.new_markdown_cell(declared.prediction.markdown()),
        new.new_code_cell(ANSWER),
    ]


def explore(declared) -> list:
    """A cell per explorer the lab names (dnnlab/explore.py), with its sliders."""
    new = nbformat.v4
    cells = [
        new.new_code_cell(f"from dnnlab.explore import {name}\n\n{name}()")
        for name in declared.explorers
    ]
    head = _(
        "## Explore\n\nMove the sliders: the figure and the line under it redraw "
        "from the same code as this lab (dnnlab/explore.py)."
    )
    return [new.new_markdown_cell(head), *cells] if cells else []


def notebook(lab: registry.Entry, lang: str = "en") -> nbformat.NotebookNode:
    """The lab's notebook in `lang`: its Markdown and outputs, not its code."""
    with i18n.speaking(lang):
        return _notebook(lab)


def _notebook(lab: registry.Entry) -> nbformat.NotebookNode:
    name = lab.file.stem
    new = nbformat.v4
    declared = lab.declaration()
    cells = [
        new.new_markdown_cell(header(lab)),
        new.new_code_cell(SETUP),
        *([new.new_code_cell(KOREAN)] if i18n.korean() else []),
        *(new.new_code_cell(c) for c in chunks(lab)),
        *predict_first(declared),
        new.new_markdown_cell(_("## Run the lab")),
        new.new_code_cell(FLAGS, metadata={"tags": ["parameters"]}),
        new.new_code_cell(RUN),
        new.new_code_cell(REVIEW),
        *explore(declared),
        new.new_markdown_cell(
            _(
                "## TensorBoard\n\nThe runs of this lab, inline (in a terminal: "
                "`tensorboard --logdir logs/{name}`)."
            ).format(name=name)
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


def path(lab: registry.Entry, lang: str = "en") -> Path:
    """notebooks/<lab>.ipynb, or notebooks/ko/<lab>.ipynb for Korean."""
    return OUT / ("" if lang == "en" else lang) / f"{lab.path}.ipynb"


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
        for lang in i18n.LANGUAGES:
            nb, file = notebook(lab, lang), path(lab, lang)
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
        names, langs = sys.argv[2:], i18n.LANGUAGES
        if names[:1] == ["--lang"]:
            langs, names = names[1:2], names[2:]
        by_path = {lab.path: lab for lab in registry.LABS}
        chosen = [by_path[n] for n in names] or registry.group("labs")
        for lang in langs:
            for lab in chosen:
                file = path(lab, lang)
                print(f"running {file.relative_to(ROOT)}", flush=True)
                nbformat.write(execute(nbformat.read(file, 4), file.parent), file)
    else:
        for file in generate():
            print(f"wrote {file.relative_to(ROOT)}")
