"""The labs as notebooks: generated from the scripts, committed executed for the seven
slide labs, and every one run top to bottom in a Jupyter kernel (slow set; make
test-jax runs them again on JAX)."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import LABS

from dnnlab import i18n, registry

sys.path.insert(0, str(LABS.parent / "scripts"))
import make_exercises  # noqa: E402

import notebooks  # noqa: E402

BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
SLIDES = registry.group("labs")  # the slides' seven exercises
BY_PATH = {lab.path: lab for lab in registry.LABS}


def outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def text(output) -> str:
    if output.output_type == "stream":
        return output.text
    data = output.get("data", {})
    return data.get("text/markdown", "") + data.get("text/plain", "")


def test_one_notebook_per_lab_and_the_committed_ones_are_current():
    tracked = subprocess.run(
        ["git", "ls-files", "notebooks"],
        cwd=LABS.parent,
        capture_output=True,
        text=True,
    ).stdout.split()
    if tracked:  # a git checkout: exactly the seven and the exercises' are committed
        assert sorted(tracked) == sorted(
            [f"notebooks/{p.path}.ipynb" for p in SLIDES]
            + [f"notebooks/ko/{p.path}.ipynb" for p in SLIDES]
            + [f"notebooks/exercises/{t}.ipynb" for t in make_exercises.TOPICS]
        )
    for lab in registry.LABS:  # every lab makes one; the same twice
        assert notebooks.sources(notebooks.notebook(lab)) == notebooks.sources(
            notebooks.notebook(lab)
        )
    for lab in SLIDES:
        for lang in i18n.LANGUAGES:
            saved = nbformat.read(notebooks.path(lab, lang), 4)
            made = notebooks.notebook(lab, lang)
            assert notebooks.sources(saved) == notebooks.sources(made), (
                f"{lab.path} ({lang}): run make notebooks"
            )


def test_an_unchanged_lab_is_not_written_again(tmp_path, monkeypatch):
    monkeypatch.setattr(notebooks, "OUT", tmp_path)
    assert len(notebooks.generate()) == len(registry.LABS) * len(i18n.LANGUAGES)
    first = {p: p.read_bytes() for p in tmp_path.rglob("*.ipynb")}
    assert notebooks.generate() == []
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.ipynb")} == first


def test_the_lab_code_is_in_the_cells_with_its_flags():
    nb = notebooks.notebook(BY_PATH["DNN_deep_hidden_layer5"])
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[-1].startswith("%load_ext tensorboard")
    assert code[-2] == "LAB.review(prediction, results)"
    assert code[-3] == "results = LAB.run(argv=flags)"
    assert code[-4].endswith('flags = ""')
    assert code[-5].endswith('prediction = ""')
    assert code[-6].startswith("LAB = Lab(\n    title=")  # the declaration, a cell
    assert any(c.startswith("def sigmoid_ratio(") for c in code)
    assert not any("__file__" in c for c in code)  # no script preamble
    assert nb.cells[0].source.startswith("# A deeper net")


def cell(nb, source: str):
    """The code cell whose source is this."""
    (found,) = [c for c in nb.cells if c.cell_type == "code" and c.source == source]
    return found


def verdict_and_review(nb) -> tuple[str, str]:
    """The run cell's last output (the verdict) and the review cell's text."""
    run, review = cell(nb, notebooks.RUN), cell(nb, notebooks.REVIEW)
    return text(run.outputs[-1]), "".join(map(text, review.outputs))


@pytest.mark.parametrize("lab", registry.LABS, ids=lambda lab: lab.path)
def test_every_notebook_asks_its_claims_question_before_the_run(lab):
    """The question and its choices come from the LAB's prediction, beside its
    claim; the answer cell is before the run, the review after it."""
    declared = lab.declaration()
    nb = notebooks.notebook(lab)
    sources = [c.source for c in nb.cells]
    asked = sources.index(declared.prediction.markdown())
    assert sources.index(notebooks.ANSWER) == asked + 1
    assert asked < sources.index(notebooks.RUN) < sources.index(notebooks.REVIEW)
    for name in declared.explorers:  # an explorer cell after the review
        assert sources.index(f"from dnnlab.explore import {name}\n\n{name}()") > (
            sources.index(notebooks.REVIEW)
        )


def test_the_exercise_notebooks_ask_no_prediction():
    for topic in make_exercises.TOPICS:
        nb = nbformat.read(notebooks.OUT / "exercises" / f"{topic}.ipynb", 4)
        assert not any("Predict first" in c.source for c in nb.cells), topic
        assert not any(c.source == notebooks.ANSWER for c in nb.cells), topic


@pytest.mark.parametrize("lab", SLIDES, ids=lambda lab: lab.path)
def test_committed_notebook_is_executed(lab):
    nb = nbformat.read(notebooks.path(lab), 4)
    outs = outputs(nb)
    assert any("image/png" in o.get("data", {}) for o in outs)
    assert any("test acc" in text(o) for o in outs)
    verdict, review = verdict_and_review(nb)
    assert "verdict:" in verdict
    assert "No prediction was given. The verdict" in review
    assert not any(o.output_type == "error" for o in outs)


@pytest.mark.parametrize("lab", SLIDES, ids=lambda lab: lab.path)
def test_committed_korean_notebook_is_executed_in_korean(lab):
    """Its Markdown, the table's headers, the verdict and the review in Korean; the
    code cells the English notebook's, and one that chooses Korean."""
    korean = i18n.catalog("ko")
    nb = nbformat.read(notebooks.path(lab, "ko"), 4)
    english = notebooks.notebook(lab)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert (
        code
        == [c.source for c in english.cells if c.cell_type == "code"][:1]
        + [notebooks.KOREAN]
        + [c.source for c in english.cells if c.cell_type == "code"][1:]
    )
    assert i18n.HANGUL.search(nb.cells[0].source)
    outs = outputs(nb)
    assert any(korean["test acc"] in text(o) for o in outs)
    verdict, review = verdict_and_review(nb)
    assert "판정: " in verdict and "verdict:" not in verdict
    assert review.startswith(korean["No prediction was given."])
    assert not any(o.output_type == "error" for o in outs)


def quick(lab: registry.Entry, logs: Path, *flags: str, lang: str = "en"):
    """The lab's notebook with the quick run's flags."""
    nb = notebooks.notebook(lab, lang)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    flags = [*lab.declaration().quick_run(), "--log-dir", str(logs), *flags]
    cell.source = f"flags = {' '.join(flags)!r}"
    return nb


@pytest.mark.slow
@pytest.mark.kernel
@pytest.mark.parametrize("path", BY_PATH)
def test_notebook_runs_in_a_kernel(path, lab_run):
    """Its quick run in a kernel: the run the lab's own tests look at too, where
    DNNLAB_QUICK_IN_KERNEL is set (make test-all, make test-jax)."""
    run = lab_run.kernel(path)
    outs = outputs(run.nb)
    assert any(f"dnnlab: backend {BACKEND}" in text(o) for o in outs)
    verdict, review = verdict_and_review(run.nb)
    assert "verdict:" in verdict
    assert "No prediction was given." in review
    assert not any(o.output_type == "error" for o in outs)
    assert run.root.parent.name == Path(path).name


@pytest.mark.slow
@pytest.mark.kernel
def test_a_bad_flag_is_one_line_in_a_notebook(mnist, tmp_path):
    from nbclient.exceptions import CellExecutionError

    lab = BY_PATH["DNN_softmax"]
    with pytest.raises(CellExecutionError) as e:
        notebooks.execute(quick(lab, tmp_path, "--epochs", "x"), tmp_path, timeout=300)
    assert "LAB.run: error: argument --epochs: invalid int value: 'x'" in str(e.value)
    assert "SystemExit" not in str(e.value)


@pytest.mark.slow
@pytest.mark.kernel
def test_the_korean_softmax_notebook_runs_in_a_kernel(mnist, tmp_path):
    """notebooks/ko/DNN_softmax.ipynb's quick run in a fresh kernel (make test-all
    on TensorFlow, make test-jax on JAX): the verdict in Korean."""
    lab = BY_PATH["DNN_softmax"]
    nb = notebooks.execute(quick(lab, tmp_path, lang="ko"), tmp_path, timeout=600)
    outs = outputs(nb)
    assert any(f"dnnlab: backend {BACKEND}" in text(o) for o in outs)
    verdict, review = verdict_and_review(nb)
    assert verdict.strip().splitlines()[-1].startswith("판정: ")
    assert any(w in verdict for w in ("성립", "시드 잡음 이내"))
    assert i18n.HANGUL.search(review)
    assert not any(o.output_type == "error" for o in outs)
