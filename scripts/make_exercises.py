"""make exercises: the student's version of dnnlab/scratch.py, and a notebook per topic.

Both are made from the reference, never a second copy: each body between
`# solution` and `# end solution` becomes its `# hint:` lines and
`raise NotImplementedError`. They go to exercises/ (not committed), a file that is
already there is kept: it holds a student's work.

    exercises/scratch.py        the whole module: make check tests it in a terminal
    exercises/NN_<topic>.ipynb  the slide's formula, the cell to fill, a check cell

The same notebooks are committed in notebooks/exercises/ (for a student without the
repository's tools: open one and fill it in), rewritten by `make notebooks` where
they changed.

In Korean (`--lang ko`, or the locale: `make exercises LANG=ko`): the docstrings'
prose, the hints and the notebooks' text from dnnlab's catalog (dnnlab.i18n), the
formulas and the code the same.

Usage: python scripts/make_exercises.py [--lang en|ko] [DIR]  (default exercises/)
       python scripts/make_exercises.py --notebooks (notebooks/exercises/)
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import notebooks  # noqa: E402
from dnnlab import i18n, scratch  # noqa: E402
from dnnlab.i18n import _  # noqa: E402

OUT = ROOT / "exercises"
COMMITTED = ROOT / "notebooks" / "exercises"
HEADER = """\
# Exercises made from dnnlab/scratch.py by `make exercises`: write each body marked
# TODO (keep the lines around it), then `make check` prints a line per function.
"""
TOPICS = {  # file: (title, what the slides say, the functions in order)
    "01_layers": (
        "Layers: forward and backward",
        "Feed-forward is each layer's output from its input; back-propagation is the "
        "chain rule, one layer at a time: a layer's backward turns the cost's "
        "gradient at its output into the gradient at each of its inputs.",
        [
            "affine_forward",
            "affine_backward",
            "relu_forward",
            "relu_backward",
            "sigmoid_forward",
            "sigmoid_backward",
        ],
    ),
    "02_losses": (
        "Softmax, the costs, and a whole net",
        "Softmax turns scores into probabilities; cross-entropy and MSE are the "
        "slides' two costs. Then the two-layer net: the forward pass, and "
        "back-propagation through the same layers in reverse.",
        ["softmax", "softmax_cross_entropy", "mse", "two_layer_loss"],
    ),
    "03_numerical_gradient": (
        "The numerical gradient",
        "Central differences, (f(x + h) − f(x − h)) / 2h: slow, but the way to check "
        "every backward you write.",
        ["numerical_gradient"],
    ),
    "04_update_rules": (
        "Gradient descent and the optimizers",
        "The optimizer slide's update rules, each in Keras' convention (the docstring "
        "says where the textbook writes it otherwise).",
        ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
    ),
    "05_batch_normalization": (
        "Batch normalization",
        "Each column normalized by the batch's mean and variance in training, by the "
        "moving averages at inference; the backward carries the gradient through the "
        "batch's own mean and variance too.",
        ["batchnorm_forward", "batchnorm_backward", "batchnorm_inference"],
    ),
    "06_dropout": (
        "Dropout",
        "Inverted dropout, as Keras: the mask is passed in, so a check can give the "
        "one Keras drew.",
        ["dropout_forward", "dropout_backward"],
    ),
}
BLOCK = re.compile(r"^( *)# solution\n(.*?)^ *# end solution\n", re.M | re.S)


def stub(m: re.Match) -> str:
    """A marked body as the student gets it: its hints and a raise."""
    indent, body = m.group(1), m.group(2)
    hints = [line for line in body.splitlines() if line.strip().startswith("#")]
    todo = f"{indent}# TODO: your code\n"
    return (
        todo + "".join(f"{h}\n" for h in hints) + f"{indent}raise NotImplementedError\n"
    )


def student(source: str) -> str:
    """The reference with each marked body replaced by its hints and a raise, in
    the language spoken."""
    return _(HEADER) + BLOCK.sub(stub, spoken(source))


def spoken(source: str) -> str:
    """scratch.py's source with its docstrings and hints in the language spoken."""
    if not i18n.korean():
        return source
    source = source.replace(
        f'"""{scratch.__doc__}"""', f'"""{_(scratch.__doc__)}"""', 1
    )
    for fn in vars(scratch).values():
        if inspect.isfunction(fn) and fn.__module__ == scratch.__name__:
            lines = _(inspect.getdoc(fn)).split("\n")
            korean = "\n".join(
                [lines[0], *(f"    {t}" if t else "" for t in lines[1:])]
            )
            source = source.replace(f'"""{fn.__doc__}"""', f'"""{korean}"""', 1)
    return HINT.sub(lambda m: m.group(0).replace(m.group(1), _(m.group(1))), source)


def without_docstring(fn) -> str:
    """A function's source with its docstring taken out."""
    before, after = inspect.getsource(fn).split(f'"""{fn.__doc__}"""', 1)
    return (before.rstrip() + after).rstrip("\n")


def functions() -> dict[str, tuple[str, str]]:
    """Each function of scratch.py: (its docstring, the student's code of it
    without the docstring)."""
    return {
        name: (
            _(inspect.getdoc(fn)),
            BLOCK.sub(stub, spoken(without_docstring(fn)) + "\n").rstrip("\n"),
        )
        for name, fn in vars(scratch).items()
        if inspect.isfunction(fn) and fn.__module__ == scratch.__name__
    }


def docstrings() -> dict[str, str]:
    """Each function of scratch.py's docstring, as inspect cleans it."""
    return {
        name: inspect.getdoc(fn)
        for name, fn in vars(scratch).items()
        if inspect.isfunction(fn) and fn.__module__ == scratch.__name__
    }


HINT = re.compile(r"^ *# hint: (.*)$", re.M)


def hints() -> list[str]:
    """The text of each `# hint:` line of scratch.py, in order."""
    return HINT.findall(inspect.getsource(scratch))


def uses(name: str) -> set[str]:
    """The global names a function of scratch.py refers to."""
    return set(getattr(scratch, name).__code__.co_names)


HOW = (
    "Write each function's body where it says TODO and run the cell after it: it "
    "checks your function alone (the others it calls are the reference's) against "
    "central differences, the reference and Keras, and says what passes or what is "
    "wrong, where and by how much. Your code has 10 s in each check (an endless loop "
    "is a FAIL line, not a hang; `check(f, seconds=60)` gives it longer). Shapes: x "
    "is (N, D), a batch of N rows; W is (D, M); t is one-hot (N, C)."
)


def notebook(topic: str) -> nbformat.NotebookNode:
    title, intro, names = TOPICS[topic]
    stubs = functions()
    own = set(names)
    imported = sorted(n for f in names for n in uses(f) if n in stubs and n not in own)
    imports = "import numpy as np\n\nfrom dnnlab.exercises import check"
    if imported:  # the other notebooks' functions, as the reference writes them
        imports += f"\nfrom dnnlab.scratch import {', '.join(imported)}"
    new = nbformat.v4
    cells = [
        new.new_markdown_cell(f"# {_(title)}\n\n{_(intro)}\n\n" + _(HOW)),
        new.new_code_cell(notebooks.SETUP),
        *([new.new_code_cell(notebooks.KOREAN)] if i18n.korean() else []),
        new.new_code_cell(imports),
    ]
    for name in names:
        doc, code = stubs[name]
        cells += [
            new.new_markdown_cell(f"## `{name}`\n\n{doc}"),
            new.new_code_cell(code, metadata={"exercise": name}),
            new.new_code_cell(f"check({name})"),
        ]
    if len(names) > 1:
        cells += [
            new.new_markdown_cell(_("## All of them")),
            new.new_code_cell(f"check({', '.join(names)})"),
        ]
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i}"
    nb = new.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": notebooks.KERNEL, "language_info": {"name": "python"}}
    return nb


def write(out: Path = OUT) -> list[tuple[Path, bool]]:
    """Every exercise file not there yet; (path, written) for each."""
    out.mkdir(parents=True, exist_ok=True)
    texts = {out / "scratch.py": student(inspect.getsource(scratch))}
    for topic in TOPICS:
        texts[out / f"{topic}.ipynb"] = nbformat.writes(notebook(topic)) + "\n"
    done = []
    for path, text in texts.items():
        kept = path.exists()
        if not kept:
            path.write_text(text)
        done.append((path, not kept))
    return done


def committed(topic: str) -> Path:
    return COMMITTED / f"{topic}.ipynb"


def publish() -> list[Path]:
    """Write each topic's notebook to notebooks/exercises/ where its cells changed."""
    written = []
    for topic in TOPICS:
        nb, file = notebook(topic), committed(topic)
        if file.is_file() and notebooks.sources(nbformat.read(file, 4)) == (
            notebooks.sources(nb)
        ):
            continue
        file.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, file)
        written.append(file)
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["--notebooks"]:
        for file in publish():
            print(f"wrote {file.relative_to(ROOT)}")
        sys.exit(0)
    args = sys.argv[1:]
    if args[:1] == ["--lang"] and args[1:2]:
        i18n.use(args[1])
        args = args[2:]
    out = Path(args[0]) if args else OUT
    for file, written in write(out):
        path = file.relative_to(Path.cwd()) if file.is_relative_to(Path.cwd()) else file
        print(
            f"wrote {path}"
            if written
            else f"kept {path} (yours; delete it to start over)"
        )
