"""The figures, RESULTS.md and the README's lab table, from each lab's saved
numbers and its own claim (make results; --render alone redraws them)."""

from __future__ import annotations

import re

import places
from places import read_json, remedy, stem

from dnnlab import files, registry
from dnnlab.claims import Claim, pct
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
        claim.notes.append("rests on one seed")
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
    shown = table(results, saved["target"], "variant", declared.columns, declared.added)
    figures = "\n\n".join(
        f"![{p.stem}](docs/figures/{p.name})"
        for p in sorted(places.FIGURES.glob(f"{stem(lab)}__*.png"))
    )
    v = saved["versions"]
    kind, shows = source(declared)
    return "\n\n".join(
        [
            f"## {i}. {declared.title}",
            *([f"**The {kind}:** {shows}"] if shows else []),
            claim.markdown(saved["seeds"]),
            shown.markdown(),
            figures,
            f"Run: `{saved['command']}`, {saved['wall'] / 60:.1f} min on "
            f"{v['machine']}, Keras {v.get('keras')}, TensorFlow "
            f"{v.get('tensorflow')}, {saved['date']}.",
        ]
    )


def group(labs: list[str], first: int = 1) -> tuple[list, list, list, float]:
    """Sections, summary rows, README rows and wall time of some labs."""
    sections, summary, readme, walls = [], [], [], 0.0
    for i, lab in enumerate(labs, first):
        saved, declared, results, claim = judge(lab)
        walls += saved["wall"]
        sections.append(section(i, lab, saved, declared, results, claim))
        verdict = claim.verdict if claim.verdict == "holds" else f"**{claim.verdict}**"
        summary.append(
            f"| {i} | {claim.sentence} | {verdict} | `make {places.TARGETS[lab]}` |"
        )
        readme.append(
            f"| `make {places.TARGETS[lab]}` | {declared.title} | "
            f"{headline(declared, results)} "
            f"| {verdict} |"
        )
    return sections, summary, readme, walls


def headline(declared: Lab, results: dict) -> str:
    """The README's number for a lab: the best variant's test accuracy."""
    if not declared.net:
        return "– (trains no net on MNIST)"
    best = max(results, key=lambda n: results[n].stat("test_accuracy").mean)
    return f"{pct(results[best].stat('test_accuracy'))} ({best})"


HEAD = "| # | claim | verdict | command |\n|---|---|---|---|\n"


def textbook_part(lecture: list[str], summary: list, sections: list) -> list[str]:
    """The textbook's side-by-side part of RESULTS.md."""
    return [
        "# The textbook, side by side",
        "Chapter 6 of *Deep Learning from Scratch* (Saito) has nine "
        "programs (ch06/ in oreilly-japan/deep-learning-from-scratch). "
        "labs/textbook/ runs eight of them with dnnlab's Config or "
        "dnnlab/scratch.py; each section says what the book ran and "
        "shows, where the set-up differs, and whether the book's result "
        "holds here. The ninth, `optimizer_compare_naive.py` (Fig. 6-8, "
        "the update rules on the bowl x²/20 + y²), is the lecture's lab "
        f"DNN_gradient_descent (section {lecture.index(places.NAIVE) + 1})."
        if places.NAIVE in lecture
        else "",
        "| program | lab |\n|---|---|\n"
        + "\n".join(
            f"| `{program}.py` | `{lab}` |" for program, lab in places.PROGRAMS.items()
        ),
        HEAD + "\n".join(summary),
        *sections,
    ]


def papers_part(summary: list, sections: list) -> list[str]:
    """The papers' side-by-side part of RESULTS.md."""
    return [
        "# The papers, side by side",
        "The lecture's claims come from a handful of papers, each with "
        "an MNIST figure or table. labs/papers/ runs each one's set-up "
        "with dnnlab's Config, shortened where 2 cores demand it (each "
        "section says so); each section quotes what the paper ran and "
        "shows, and whether it holds here.",
        HEAD + "\n".join(summary),
        *sections,
    ]


def write_readme_table(readme: list[str]) -> None:
    """The README's table of the lecture's labs, between its markers."""
    lines = [
        "| command | lab | best test accuracy (variant) | claim |",
        "|---|---|---|---|",
        *readme,  # the textbook's and the papers' are on RESULTS.md
    ]
    page = places.README.read_text()
    block = f"{places.README_START}\n" + "\n".join(lines) + f"\n{places.README_END}"
    page = re.sub(
        re.escape(places.README_START) + ".*?" + re.escape(places.README_END),
        lambda _: block,
        page,
        flags=re.S,
    )
    files.write(places.README, page)


def render(labs: list[str], figures: bool = True) -> None:
    if figures:
        for lab in labs:
            draw(lab)
    lecture = [lab for lab in labs if lab in places.LABS]
    textbook = [lab for lab in labs if lab in places.BOOK]
    sections, summary, readme, walls = group(lecture)
    b_sections, b_summary, _, b_walls = group(textbook, len(lecture) + 1)
    papers = [lab for lab in labs if lab in places.PAPERS]
    p_sections, p_summary, _, p_walls = group(papers, len(lecture) + len(textbook) + 1)
    text = "\n\n".join(
        [
            "# RESULTS: the lecture's claims, checked over seeds",
            "Written by `make results` (scripts/results.py) from the labs' saved "
            "results in docs/results/; every number and verdict below comes from "
            "the lab's own `claim()` on those numbers. A difference counts when it "
            "exceeds twice its standard error over the seeds (dnnlab/claims.py); "
            f"otherwise the verdict says *within seed noise*. The lecture's labs took "
            f"{walls / 60:.1f} min in all, the textbook's {b_walls / 60:.1f} min, "
            f"the papers' {p_walls / 60:.1f} min (2 cores, no GPU).",
            HEAD + "\n".join(summary),
            *sections,
            *(textbook_part(lecture, b_summary, b_sections) if textbook else []),
            *(papers_part(p_summary, p_sections) if papers else []),
        ]
    )
    files.write(places.PAGE, text + "\n")
    write_readme_table(readme)
    print(f"wrote RESULTS.md and the README's lab table ({len(labs)} labs)")
