"""The Korean edition: every message a lab, an exercise or a page shows has its
Korean in dnnlab's catalog with the same format fields; English stays the default,
byte for byte; Korean by --lang ko or the locale; wide characters align; figures
draw Hangul only with a font that has it."""

import inspect
import re
import sys
import warnings
from pathlib import Path

import pytest
from conftest import LABS, run_lab

from dnnlab import i18n, plots, scratch
from dnnlab.i18n import _, msg

sys.path.insert(0, str(LABS.parent / "scripts"))
import make_exercises  # noqa: E402
import messages  # noqa: E402
import render  # noqa: E402

KOREAN = i18n.catalog("ko")


@pytest.fixture(scope="module")
def found():
    return messages.messages()


def test_every_message_of_every_lab_and_exercise_has_its_korean(found):
    """The walk finds each lab's text, prediction, claim, checks and table headers
    (its claim on its saved results), each exercise's docstring and hints, and
    every _() and msg() of the code: none may lack Korean."""
    labs = {w.split(":")[0] for where in found.values() for w in where}
    labs = {w for w in labs if w.startswith("labs/")}
    assert len(labs) == len(messages.registry.LABS)
    assert any("dnnlab/scratch.py" in w for where in found.values() for w in where)
    missing = [m for m in found if not KOREAN.get(m, "").strip()]
    assert not missing, f"{len(missing)} without Korean, e.g. {missing[:3]}"


def test_each_translation_keeps_the_format_fields(found):
    differ = [m for m in found if i18n.fields(m) != i18n.fields(KOREAN.get(m, m))]
    assert not differ, differ[:3]


def test_the_catalog_is_current_and_its_mo_is_its_po_compiled():
    assert messages.compiled() == messages.MO.read_bytes(), "python scripts/messages.py"
    assert messages.main(["--check"]) == 0, "python scripts/messages.py"


def test_a_message_without_korean_is_an_error_not_english(monkeypatch):
    with i18n.speaking("ko"):
        with pytest.raises(i18n.Missing):
            _("a message no catalog has")
        monkeypatch.delenv("DNNLAB_STRICT_LANG")
        assert _("a message no catalog has") == "a message no catalog has"


@pytest.mark.parametrize(
    "env, lang",
    [
        ({}, "en"),
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "ko_KR.UTF-8"}, "en"),  # LC_ALL first
        ({"LANGUAGE": "ko:en", "LANG": "C"}, "ko"),
        ({"DNNLAB_LANG": "ko", "LANG": "C"}, "ko"),
    ],
)
def test_the_language_comes_from_the_locale(monkeypatch, env, lang):
    for name in ("DNNLAB_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.language() == lang


def test_a_message_with_values_translates_its_template():
    m = msg("diverged at epoch {epoch}", epoch=3)
    assert m == "diverged at epoch 3" and _(m) == "diverged at epoch 3"
    with i18n.speaking("ko"):
        assert _(m) == KOREAN["diverged at epoch {epoch}"].format(epoch=3)
        assert i18n.HANGUL.search(_(m))
    assert i18n.language() == "en"  # speaking() ends where it began


def test_a_table_aligns_hangul_by_its_columns():
    from dnnlab.lab import Table

    shown = Table(
        msg("variant"), ["train acc", msg("time")], {"a": ["1 %", "2s"]}, {"a": ""}
    )
    with i18n.speaking("ko"):
        lines = shown.text().splitlines()
    assert i18n.HANGUL.search(lines[0])
    assert len({i18n.width(line) for line in lines}) == 1, lines
    assert len({len(line) for line in lines}) > 1  # by columns, not by characters


def test_the_progress_bar_counts_columns():
    assert i18n.width("훈련 손실") == 9 and i18n.width("loss") == 4


@pytest.mark.slow
def test_the_initializer_lab_speaks_korean_with_the_flag_and_english_without(
    mnist, tmp_path
):
    flags = ("--epochs", "1", "--limit", "2000", "--no-tensorboard")
    english, code = run_lab("DNN_initializer", tmp_path / "en", *flags)
    assert code == 0
    korean, code = run_lab("DNN_initializer", tmp_path / "ko", *flags, "--lang", "ko")
    assert code == 0
    en_tail, ko_tail = english.split("\n  normal_0.01")[0], korean
    assert "claim: Xavier and He keep" in english and "verdict: " in english
    assert "train acc" in en_tail and not i18n.HANGUL.search(english)
    for word in ("주장: ", "판정: ", "훈련 정확도", "시험 정확도"):
        assert word in ko_tail, word
    assert "claim:" not in korean and "verdict:" not in korean
    verdict = korean.strip().splitlines()[-1]
    assert verdict.startswith("판정: ") and any(
        w in verdict for w in ("성립", "성립하지 않음", "시드 잡음 이내")
    )
    checks = [line for line in korean.splitlines() if line.startswith("  ✓ ")]
    assert len(checks) == 7 and all(i18n.HANGUL.search(c) for c in checks)


def test_the_verdict_words_are_the_glossarys():
    with i18n.speaking("ko"):
        assert [_(w) for w in ("holds", "does not hold", "within seed noise")] == [
            "성립",
            "성립하지 않음",
            "시드 잡음 이내",
        ]


FORMULA = re.compile(r"\S*[=←·Σ√²ᵀ∂−×/][^\s,.;:]*")


@pytest.mark.parametrize("name", make_exercises.docstrings())
def test_an_exercise_docstring_in_korean_keeps_every_formula(name):
    english = make_exercises.docstrings()[name]
    korean = KOREAN[english]
    kept = [t for t in FORMULA.findall(english) if t not in korean]
    assert not kept, f"{name}: {kept}"
    assert i18n.HANGUL.search(korean) or not re.search("[a-z]{4} [a-z]{4}", english)


def test_the_korean_exercises_are_python_with_korean_docstrings():
    with i18n.speaking("ko"):
        source = make_exercises.student(inspect.getsource(scratch))
    compile(source, "scratch.py", "exec")
    assert "raise NotImplementedError" in source
    assert KOREAN[inspect.getdoc(scratch.affine_backward)].split("\n")[0] in source
    assert "# hint: " + KOREAN[make_exercises.hints()[0]] in source


def test_a_check_line_speaks_korean():
    from dnnlab.exercises import verify

    def affine_forward(x, W, b):
        return x @ W, (x, W)  # b left out

    with i18n.speaking("ko"):
        line = str(verify(affine_forward))
    assert line.startswith("실패  affine_forward: ") and i18n.HANGUL.search(line[20:])


def test_the_korean_results_page_is_rendered_from_the_saved_results():
    labs = [lab for lab in render.places.TARGETS]
    with i18n.speaking("ko"):
        text, _rows = render.page(labs)
    page = LABS.parent / "RESULTS.ko.md"
    assert page.read_text() == text, "python scripts/results.py --render"
    assert "(RESULTS.md)" in text and "**판정: " in text


def test_the_readmes_link_to_each_other():
    root = LABS.parent
    english, korean = (root / "README.md").read_text(), (root / "README.ko.md")
    assert "(README.ko.md)" in english and "(README.md)" in korean.read_text()
    assert len(korean.read_bytes()) < 8000
    assert "](docs/figures/jupyterlab_ko.png)" in korean.read_text()
    assert (root / "docs/figures/jupyterlab_ko.png").is_file()


def glyphs_missing(draw, caplog) -> list[str]:
    """What matplotlib said about glyphs while drawing: a warning for text
    ("Glyph … missing from font(s)"), a log line for mathtext (a log axis's
    ticks: "… does not have a glyph for …")."""
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw()
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    return [m for m in said if "missing from font" in m or "have a glyph" in m]


def curves(path: Path):
    from dnnlab.result import Result

    def run(seed):
        r = Result.__new__(Result)
        r.history = {"loss": [2.0, 1.0, 0.5], "val_accuracy": [0.5, 0.8, 0.9]}
        r.trace, r.diverged_at, r.test_accuracy = [], None, 0.9
        return r

    return lambda: plots.curves({"a": [run(1)], "b": [run(2)]}, path, msg("variant"))


@pytest.mark.skipif(plots.hangul_font() is None, reason="no Korean font installed")
def test_a_korean_figure_draws_hangul_without_missing_glyphs(tmp_path, caplog):
    """Korean labels, log axes (mathtext ticks with a minus), and an explorer."""
    from dnnlab.explore import explore_bowl

    with i18n.speaking("ko"):
        assert plots.words(msg("training loss")) == KOREAN["training loss"]
        assert glyphs_missing(curves(tmp_path / "ko.png"), caplog) == []
        assert glyphs_missing(explore_bowl(show=False).png, caplog) == []
    assert plots.words(msg("training loss")) == "training loss"


def test_without_a_korean_font_a_figure_stays_english(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(plots, "hangul_font", lambda: None)
    with i18n.speaking("ko"):
        assert plots.words(msg("training loss")) == "training loss"
        assert glyphs_missing(curves(tmp_path / "en.png"), caplog) == []


@pytest.mark.slow
@pytest.mark.skipif(plots.hangul_font() is None, reason="no Korean font installed")
def test_every_labs_figures_draw_in_korean_without_missing_glyphs(
    tmp_path, monkeypatch, caplog
):
    """Each lab's figures from its saved results, drawn in Korean: no box."""
    monkeypatch.setattr(render.places, "FIGURES", tmp_path)
    with i18n.speaking("ko"):
        for lab in render.places.TARGETS:
            assert glyphs_missing(lambda lab=lab: render.draw(lab), caplog) == [], lab
    assert len(list(tmp_path.glob("*.png"))) > len(render.places.TARGETS)
