"""RESULTS.md is rendered from the labs' saved numbers by their own claims: no
training, and the page says what the numbers say."""

import json
import sys
from pathlib import Path

import pytest
from test_claims import CASES, PerSeed, fake

sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))
import results  # noqa: E402

LAB = "DNN_cost_function"


@pytest.fixture
def docs(tmp_path, monkeypatch):
    for name in ("SAVED", "FIGURES"):
        monkeypatch.setattr(results, name, tmp_path / name.lower())
        (tmp_path / name.lower()).mkdir()
    monkeypatch.setattr(results, "PAGE", tmp_path / "RESULTS.md")
    readme = tmp_path / "README.md"
    readme.write_text(
        f"top\n{results.README_START}\nSTALE-ROW\n{results.README_END}\nend\n"
    )
    monkeypatch.setattr(results, "README", readme)
    return tmp_path


def save(docs: Path, case: int) -> None:
    variants = {}
    for variant, numbers in CASES[LAB][case].items():
        numbers = {"sum_error": 0.0, **numbers}
        variants[variant] = [
            fake(
                k + 1,
                **{
                    m: v[k] if isinstance(v, PerSeed) else v for m, v in numbers.items()
                },
            ).to_dict()
            for k in range(3)
        ]
    saved = {
        "lab": LAB,
        "seeds": 3,
        "target": 0.95,
        "changed": {},
        "versions": {"machine": "x86_64", "keras": "3", "tensorflow": "2"},
        "variants": variants,
        "wall": 60.0,
        "command": "python labs/x.py",
        "date": "2026-11-28",
        "code": "0",
    }
    (docs / "saved" / f"{LAB}.json").write_text(json.dumps(saved))
    (docs / "figures" / f"{LAB}__compare.png").write_bytes(b"png")


@pytest.mark.parametrize(
    "case, verdict", [(0, "holds"), (1, "does not hold"), (2, "within seed noise")]
)
def test_the_page_carries_the_claims_verdict(docs, case, verdict):
    save(docs, case)
    results.render([LAB])
    page = (docs / "RESULTS.md").read_text()
    assert f"**Verdict: {verdict}**" in page and "over 3 seeds" in page
    assert (
        "![DNN_cost_function__compare](docs/figures/DNN_cost_function__compare.png)"
        in page
    )
    assert "| cross_entropy | " in page  # the table, from the saved numbers
    readme = (docs / "README.md").read_text()
    assert (
        readme.startswith("top\n")
        and readme.endswith("end\n")
        and "STALE-ROW" not in readme
    )
    assert "`make lab-cost`" in readme


def test_a_lab_runs_again_only_when_its_code_changed(docs):
    save(docs, 0)
    assert results.stale(LAB)  # saved under another code hash
    path = docs / "saved" / f"{LAB}.json"
    saved = json.loads(path.read_text())
    path.write_text(json.dumps({**saved, "code": results.code_hash(LAB)}))
    assert not results.stale(LAB)


def test_every_lab_has_a_make_target():
    labs = sorted(p.stem for p in (results.ROOT / "labs").glob("DNN_*.py"))
    assert sorted(results.LABS) == labs
    book = (results.ROOT / "labs" / "textbook").glob("*.py")
    assert sorted(results.BOOK) == sorted(f"textbook/{p.stem}" for p in book)
    makefile = (results.ROOT / "Makefile").read_text()
    for target in results.TARGETS.values():
        assert f"\n{target}:" in makefile, target


def test_the_textbook_labs_get_their_own_section_with_what_the_book_shows(docs):
    lab = "textbook/overfit_dropout"
    variants = {
        name: [fake(k + 1, **numbers).to_dict() for k in range(3)]
        for name, numbers in CASES[lab][0].items()
    }
    save(docs, 0)
    saved = json.loads((docs / "saved" / f"{LAB}.json").read_text())
    saved.update(lab="overfit_dropout", variants=variants)
    (docs / "saved" / "overfit_dropout.json").write_text(json.dumps(saved))
    results.render([LAB, lab])
    page = (docs / "RESULTS.md").read_text()
    lecture, book = page.split("# The textbook, side by side")
    assert "## 1. " in lecture and "## 2. Dropout against overfitting" in book
    assert "**The book:** Deep Learning from Scratch (Saito), §6.4.3" in book
    assert "| 2 | dropout narrows the gap" in book and "`make book-dropout`" in book
