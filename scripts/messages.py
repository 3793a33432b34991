"""make messages: every message dnnlab shows, in its catalog, and the Korean compiled.

Two kinds of message, one catalog (dnnlab/locale/dnnlab.pot):
- the code's: each `_("…")` and `msg("…", …)` in dnnlab/, labs/ and scripts/,
  found by Babel's extractor;
- the labs' and exercises' text, which is data: each LAB's title, slide, book,
  paper, description and prediction, its claim's sentence, checks and notes and
  its table's headers as its own claim gives them on its saved results
  (docs/results), and each exercise's docstring, hints and topic.
The Korean catalog (dnnlab/locale/ko/LC_MESSAGES/dnnlab.po) is updated from it:
a message new to it gets an empty translation, one no longer used is dropped;
then compiled to dnnlab.mo, which dnnlab reads (gettext, standard library).
--check changes nothing: it says what is out of date or untranslated, exit 1.

Usage: python scripts/messages.py [--check]
"""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path

from babel.messages import mofile, pofile
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from dnnlab import i18n, registry  # noqa: E402

POT = i18n.LOCALE / f"{i18n.DOMAIN}.pot"
KO = i18n.LOCALE / "ko" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO = KO.with_suffix(".mo")
# The first argument of each is a message; of config.py's _field, the second (a
# flag's help).
# An explorer's title and a control's label (dnnlab/explore.py) are the first.
KEYWORDS = {"_": None, "msg": None, "_field": (2,), "Explorer": None, "Control": None}
# Fixed header dates: a catalog is current when its messages are, not its hour.
DATE = datetime.datetime(2026, 12, 7, tzinfo=datetime.timezone.utc)


def code_messages() -> dict[str, set[str]]:
    """{message: where} for every _() and msg() in the code."""
    found: dict[str, set[str]] = {}
    for folder in ("dnnlab", "labs", "scripts"):
        for file, line, message, *_rest in extract_from_dir(
            ROOT / folder, [("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, set()).add(f"{folder}/{file}:{line}")
    return found


def templates(text) -> list[str]:
    """A message's template and those of its values that are messages."""
    if isinstance(text, i18n.Text):
        values = [v for v in text.values.values() if isinstance(v, i18n.Text)]
        inner = [t for v in values for t in templates(v)]
        return [text.template, *inner]
    return [text] if isinstance(text, str) and text else []


def claim_messages(claim) -> list[str]:
    out = [*templates(claim.sentence), claim.verdict]
    for c in claim.checks:
        out += [*templates(c.text), c.outcome, *templates(c.numbers)]
    return out + [t for n in claim.notes for t in templates(n)]


def lab_messages(entry: registry.Entry) -> list[str]:
    """What a lab shows of its own: its text, prediction, and its claim and table
    on its saved results."""
    from dnnlab.lab import load, table

    lab = entry.declaration()
    out = [key for key, _text in lab.header()]
    out += [text for key, text in lab.header() if key != "Run"]
    if lab.prediction is not None:
        out += [lab.prediction.question, *lab.prediction.options]
    out += [spec["help"] for spec in lab.options.values()]
    out += [text for text in lab.uses.values() if text]
    saved = ROOT / "docs" / "results" / f"{Path(entry.path).name}.json"
    if saved.is_file():
        results = load(saved)
        out += claim_messages(lab.claim(results))
        shown = table(results, lab.target, "", lab.columns, lab.added)
        out += [t for h in shown.head for t in templates(h)]
        for row in shown.rows.values():  # a number is no message; "never" is
            out += [t for c in row if isinstance(c, i18n.Text) for t in templates(c)]
    return out


def constants() -> dict[str, set[str]]:
    """Messages the code names by a constant, not by a literal in _() or msg()."""
    import make_exercises

    from dnnlab import claims, exercises
    from dnnlab.lab import RUN

    found = {
        "dnnlab/claims.py": [
            *(claims.HOLDS, claims.FAILS, claims.NOISE, claims.MISSING),
            *(claims.UNJUDGED, claims.CANNOT_TELL, "std", "SE", "never", "diverged"),
        ],
        "dnnlab/lab.py": [
            *("Title", "Slide", "Book", "Paper", "Description", "Run"),
            *(text for text in RUN.values() if text),
        ],
        "dnnlab/exercises.py": [exercises.WITH_EPS],
        "scripts/make_exercises.py": [make_exercises.HEADER, make_exercises.HOW],
    }
    return {m: {where} for where, ms in found.items() for m in ms}


def exercise_messages() -> dict[str, set[str]]:
    """Each exercise's docstring and hints (dnnlab/scratch.py), and each topic's
    title and text (scripts/make_exercises.py)."""
    import make_exercises

    from dnnlab import scratch

    found: dict[str, set[str]] = {scratch.__doc__: {"dnnlab/scratch.py"}}
    for name, doc in make_exercises.docstrings().items():
        found.setdefault(doc, set()).add(f"dnnlab/scratch.py:{name}")
    for hint in make_exercises.hints():
        found.setdefault(hint, set()).add("dnnlab/scratch.py:# hint")
    for topic, (title, text, _names) in make_exercises.TOPICS.items():
        for t in (title, text):
            found.setdefault(t, set()).add(f"scripts/make_exercises.py:{topic}")
    return found


def messages() -> dict[str, set[str]]:
    """{message: where it comes from}, every message dnnlab shows."""
    found = code_messages()
    for m, where in constants().items():
        found.setdefault(m, set()).update(where)
    for entry in registry.LABS:
        for m in lab_messages(entry):
            found.setdefault(m, set()).add(f"labs/{entry.path}.py")
    for m, where in exercise_messages().items():
        found.setdefault(m, set()).update(where)
    return found


HEADER = """\
# dnnlab in Korean: every message a lab, a notebook, an exercise or a page shows.
# Made by scripts/messages.py; translate the empty msgstr entries, keep each {field}.
# Terms: one Korean term per idea, as this catalog already writes it."""


def template(found: dict[str, set[str]]) -> Catalog:
    pot = Catalog(
        project="dnnlab", domain=i18n.DOMAIN, creation_date=DATE, revision_date=DATE
    )
    for message in sorted(found):
        # Where, by file only: moving a line does not make the catalog stale.
        files = sorted({w.split(":")[0] for w in found[message]})
        pot.add(message, locations=[(f, None) for f in files])
    return pot


def updated(pot: Catalog) -> Catalog:
    """The Korean catalog with the template's messages: translations kept."""
    if KO.is_file():
        with open(KO, "rb") as f:
            ko = pofile.read_po(f, locale="ko")
    else:
        ko = Catalog(locale="ko", project="dnnlab", domain=i18n.DOMAIN)
    ko.update(pot, no_fuzzy_matching=True)
    ko.obsolete.clear()
    ko.creation_date = ko.revision_date = DATE
    ko.fuzzy = False  # the header: its translations are reviewed, not guessed
    ko.header_comment = HEADER
    ko.version, ko.last_translator = "0.1.0", "dnnlab <translators of the course>"
    ko.language_team = "Korean"
    return ko


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    pofile.write_po(out, catalog, width=88, omit_header=False, sort_output=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    mofile.write_mo(out, catalog)
    return out.getvalue()


def compiled(po: Path = KO) -> bytes:
    """The .mo that a .po compiles to."""
    with open(po, "rb") as f:
        return mo_bytes(pofile.read_po(f, locale="ko"))


def untranslated(catalog: Catalog) -> list[str]:
    return [m.id for m in catalog if m.id and not m.string]


def main(argv: list[str]) -> int:
    pot = template(messages())
    ko = updated(pot)
    want = {POT: po_bytes(pot), KO: po_bytes(ko)}
    if "--check" in argv:
        stale = [p for p, b in want.items() if not p.is_file() or p.read_bytes() != b]
        if MO.is_file() and KO.is_file() and compiled() != MO.read_bytes():
            stale.append(MO)
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)} (python scripts/messages.py)")
        missing = untranslated(ko)
        for m in missing:
            print(f"no Korean: {m!r}")
        return 1 if stale or missing else 0
    KO.parent.mkdir(parents=True, exist_ok=True)
    for path, data in want.items():
        path.write_bytes(data)
    MO.write_bytes(compiled())
    print(f"{len(pot)} messages, {len(untranslated(ko))} without Korean")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
