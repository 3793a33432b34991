"""The figures, RESULTS.md and the README's lab table, from each lab's saved
numbers and its own claim (make results; --render alone redraws them)."""

from __future__ import annotations

import re
from pathlib import Path

import places
from places import read_json, remedy, stem

from dnnlab import files, i18n, registry
from dnnlab.claims import HOLDS, Claim, pct
from dnnlab.i18n import _, msg
from dnnlab.lab import Lab, load, table


def draw(lab: str) -> None:
    """docs/figures/<lab>__*.png, drawn by the lab's figures' code of now from its
    saved numbers: a change to a figure retrains nothing."""
    from dnnlab import plots

    got = registry.BY_PATH[lab].declaration()
    path = places.SAVED / f"{stem(lab)}.json"
    results = load(path, remedy(path))
    places.FIGURES.mkdir(parents=True, exist_ok=True)
    for old in places.FIGURES.glob(f"{stem(lab)}__*.png"):
        old.unlink()
    parts = next(iter(results.values()))[0].run_dir.parts  # …/lab/timestamp/…
    when = parts[parts.index(stem(lab)) + 1]
    if got.net:  # a net trained on MNIST: its learning curves
        plots.curves(
            results,
            places.FIGURES / f"{stem(lab)}__compare.png",
            f"{stem(lab)} · {when}",
        )
    for file, figure in got.figures.items():
        figure(results, places.FIGURES / f"{stem(lab)}__{file}")


def judge(lab: str) -> tuple[dict, Lab, dict, Claim]:
    """The lab's saved file, its declaration, its results, and its own claim on
    them."""
    saved = read_json(places.SAVED / f"{stem(lab)}.json")
    declared = registry.BY_PATH[lab].declaration()
    path = places.SAVED / f"{stem(lab)}.json"
    results = load(path, remedy(path))
    claim = declared.claim(results)
    if saved["seeds"] == 1:
        claim.notes.append(msg("rests on one seed"))
    return saved, declared, results, claim


def source(declared: Lab) -> tuple[str, str]:
    """What the source ran and shows (its book or paper), as ("book" or "paper",
    text), or ("", "")."""
    if declared.book:
        return "book", declared.book
    return ("paper", declared.paper) if declared.paper else ("", "")


def section(
    i: int, lab: str, saved: dict, declared: Lab, results: dict, claim: Claim
) -> str:
    shown = table(
        results, saved["target"], msg("variant"), declared.columns, declared.added
    )
    figures = "\n\n".join(
        f"![{p.stem}](docs/figures/{p.name})"
        for p in sorted(places.FIGURES.glob(f"{stem(lab)}__*.png"))
    )
    v = saved["versions"]
    kind, shows = source(declared)
    named = {"book": _("**The book:**"), "paper": _("**The paper:**")}
    run = _(
        "Run: `{command}`, {minutes:.1f} min on {machine}, Keras {keras}, "
        "TensorFlow {tensorflow}, {date}."
    )
    return "\n\n".join(
        [
            f"## {i}. {_(declared.title)}",
            *([f"{named[kind]} {_(shows)}"] if shows else []),
            claim.markdown(saved["seeds"]),
            shown.markdown(),
            figures,
            run.format(
                command=saved["command"],
                minutes=saved["wall"] / 60,
                machine=v["machine"],
                keras=v.get("keras"),
                tensorflow=v.get("tensorflow"),
                date=saved["date"],
            ),
        ]
    )


def group(labs: list[str], first: int = 1) -> tuple[list, list, list, float]:
    """Sections, summary rows, README rows and wall time of some labs."""
    sections, summary, readme, walls = [], [], [], 0.0
    for i, lab in enumerate(labs, first):
        saved, declared, results, claim = judge(lab)
        walls += saved["wall"]
        sections.append(section(i, lab, saved, declared, results, claim))
        verdict = _(claim.verdict)
        verdict = verdict if claim.verdict == HOLDS else f"**{verdict}**"
        summary.append(
            f"| {i} | {_(claim.sentence)} | {verdict} | `make {places.TARGETS[lab]}` |"
        )
        readme.append(
            f"| `make {places.TARGETS[lab]}` | {_(declared.title)} | "
            f"{headline(declared, results)} "
            f"| {verdict} |"
        )
    return sections, summary, readme, walls


def headline(declared: Lab, results: dict) -> str:
    """The README's number for a lab: the best variant's test accuracy."""
    if not declared.net:
        return _("– (trains no net on MNIST)")
    best = max(results, key=lambda n: results[n].stat("test_accuracy").mean)
    return f"{pct(results[best].stat('test_accuracy'))} ({best})"


def head() -> str:
    """A summary table's header row."""
    return _("| # | claim | verdict | command |") + "\n|---|---|---|---|\n"


def textbook_part(lecture: list[str], summary: list, sections: list) -> list[str]:
    """The textbook's side-by-side part of RESULTS.md."""
    naive = _(
        "Chapter 6 of *Deep Learning from Scratch* (Saito) has nine programs (ch06/ "
        "in oreilly-japan/deep-learning-from-scratch). labs/textbook/ runs eight of "
        "them with dnnlab's Config or dnnlab/scratch.py; each section says what the "
        "book ran and shows, where the set-up differs, and whether the book's result "
        "holds here. The ninth, `optimizer_compare_naive.py` (Fig. 6-8, the update "
        "rules on the bowl x²/20 + y²), is the lecture's lab DNN_gradient_descent "
        "(section {section})."
    )
    return [
        _("# The textbook, side by side"),
        naive.format(section=lecture.index(places.NAIVE) + 1)
        if places.NAIVE in lecture
        else "",
        _("| program | lab |")
        + "\n|---|---|\n"
        + "\n".join(
            f"| `{program}.py` | `{lab}` |" for program, lab in places.PROGRAMS.items()
        ),
        head() + "\n".join(summary),
        *sections,
    ]


def papers_part(summary: list, sections: list) -> list[str]:
    """The papers' side-by-side part of RESULTS.md."""
    return [
        _("# The papers, side by side"),
        _(
            "The lecture's claims come from a handful of papers, each with an MNIST "
            "figure or table. labs/papers/ runs each one's set-up with dnnlab's "
            "Config, shortened where 2 cores demand it (each section says so); each "
            "section quotes what the paper ran and shows, and whether it holds here."
        ),
        head() + "\n".join(summary),
        *sections,
    ]


# Each language's page and README beside the English: RESULTS.ko.md, README.ko.md.
SUFFIX = {"en": "", "ko": ".ko"}


def beside(path: Path, lang: str) -> Path:
    """RESULTS.md's page in `lang`: RESULTS.ko.md beside it for Korean."""
    return path.with_name(path.stem + SUFFIX[lang] + path.suffix)


def write_readme_table(readme: list[str], path: Path) -> None:
    """A README's table of the lecture's labs, between its markers."""
    lines = [
        _("| command | lab | best test accuracy (variant) | claim |"),
        "|---|---|---|---|",
        *readme,  # the textbook's and the papers' are on RESULTS.md
    ]
    page = path.read_text()
    block = f"{places.README_START}\n" + "\n".join(lines) + f"\n{places.README_END}"
    page = re.sub(
        re.escape(places.README_START) + ".*?" + re.escape(places.README_END),
        lambda _m: block,
        page,
        flags=re.S,
    )
    files.write(path, page)


def page(labs: list[str]) -> tuple[str, list[str]]:
    """RESULTS.md's text and the README's rows, in the language spoken."""
    lecture = [lab for lab in labs if lab in places.LABS]
    textbook = [lab for lab in labs if lab in places.BOOK]
    sections, summary, readme, walls = group(lecture)
    b_sections, b_summary, _r, b_walls = group(textbook, len(lecture) + 1)
    papers = [lab for lab in labs if lab in places.PAPERS]
    p_sections, p_summary, _r, p_walls = group(papers, len(lecture) + len(textbook) + 1)
    intro = _(
        "Written by `make results` (scripts/results.py) from the labs' saved results "
        "in docs/results/; every number and verdict below comes from the lab's own "
        "`claim()` on those numbers. A difference counts when it exceeds twice its "
        "standard error over the seeds (dnnlab/claims.py); otherwise the verdict says "
        "*within seed noise*. The lecture's labs took {lecture:.1f} min in all, the "
        "textbook's {textbook:.1f} min, the papers' {papers:.1f} min (2 cores, no GPU)."
    )
    text = "\n\n".join(
        [
            _("# RESULTS: the lecture's claims, checked over seeds"),
            "[English](RESULTS.md)"
            if i18n.korean()
            else "한국어: [RESULTS.ko.md](RESULTS.ko.md)",
            intro.format(
                lecture=walls / 60, textbook=b_walls / 60, papers=p_walls / 60
            ),
            head() + "\n".join(summary),
            *sections,
            *(textbook_part(lecture, b_summary, b_sections) if textbook else []),
            *(papers_part(p_summary, p_sections) if papers else []),
        ]
    )
    return text + "\n", readme


def render(labs: list[str], figures: bool = True) -> None:
    """The figures, then RESULTS.md and the README's table in each language."""
    if figures:
        for lab in labs:
            draw(lab)
    for lang in i18n.LANGUAGES:
        with i18n.speaking(lang):
            text, rows = page(labs)
            files.write(beside(places.PAGE, lang), text)
            if beside(places.README, lang).is_file():
                write_readme_table(rows, beside(places.README, lang))
    print(f"wrote RESULTS.md, RESULTS.ko.md and the READMEs' tables ({len(labs)} labs)")
