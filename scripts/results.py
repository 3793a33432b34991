"""make results: the lecture's labs, the textbook's (labs/textbook/) and the papers'
(labs/papers/) under 3 seeds
where their saved results are stale, then RESULTS.md (and the README's lab table) from
each lab's own claim.

A lab's saved results, docs/results/<name>.json, are its results.json plus the wall
time, the command and a hash of the code that made them (the lab and the dnnlab
package); the lab runs again only when that hash changed. Figures are copied to
docs/figures. With --render nothing trains: the pages come from the saved files.

Usage: python scripts/results.py [--render] [--seeds 3] [LAB ...]
(LAB as a path under labs/ without .py, e.g. DNN_softmax or textbook/batch_norm_test)
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import runpy
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dnnlab.claims import Claim, pct  # noqa: E402
from dnnlab.lab import load, table  # noqa: E402

SAVED = ROOT / "docs/results"  # the numbers behind the page, committed
FIGURES = ROOT / "docs/figures"
LOGS = ROOT / "logs/results"  # the runs themselves, not committed
PAGE, README = ROOT / "RESULTS.md", ROOT / "README.md"
LABS = {  # the lecture's order -> make target
    "DNN_softmax": "lab-softmax",
    "DNN_cost_function": "lab-cost",
    "DNN_deep_hidden_layer3": "lab-layer3",
    "DNN_deep_hidden_layer5": "lab-layer5",
    "DNN_deep_hidden_layer5_tensorboard": "lab-tensorboard",
    "DNN_activation": "lab-activation",
    "DNN_learning_rate": "lab-learning-rate",
    "DNN_optimizer": "lab-optimizer",
    "DNN_initializer": "lab-initializer",
    "DNN_regularization": "lab-regularization",
    "DNN_batch_normalization": "lab-batchnorm",
    "DNN_dropout": "lab-dropout",
    "DNN_hyperparameter_search": "lab-search",
    "DNN_best": "lab-best",
}
BOOK = {  # chapter 6 of the textbook, in its order -> make target
    "textbook/optimizer_compare_mnist": "book-optimizers",
    "textbook/weight_init_compare": "book-init",
    "textbook/batch_norm_test": "book-batchnorm",
    "textbook/overfit_weight_decay": "book-weight-decay",
    "textbook/overfit_dropout": "book-dropout",
    "textbook/hyperparameter_optimization": "book-search",
}
PAPERS = {  # the papers behind the lecture, in the lecture's order -> make target
    "papers/kingma2015_fig2": "paper-adam",
    "papers/glorot2010_fig2": "paper-glorot",
    "papers/ioffe2015_fig1": "paper-batchnorm",
    "papers/srivastava2014_table2": "paper-dropout",
    "papers/srivastava2014_fig9": "paper-dropout-rate",
}
TARGETS = {**LABS, **BOOK, **PAPERS}
# Flags of the runs behind RESULTS.md beyond --seeds (budgets sized for 2 cores).
FLAGS = {"DNN_hyperparameter_search": ["--trials", "10", "--final-epochs", "3"]}
README_START, README_END = "<!-- lab table: scripts/results.py -->", "<!-- end -->"


def stem(lab: str) -> str:
    """The lab's name: its run folder under logs/, its saved file and figures."""
    return Path(lab).name


def code_hash(lab: str) -> str:
    files = [ROOT / "labs" / f"{lab}.py", *sorted((ROOT / "dnnlab").glob("*.py"))]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]


def stale(lab: str) -> bool:
    path = SAVED / f"{stem(lab)}.json"
    return not path.is_file() or json.loads(path.read_text()).get("code") != code_hash(
        lab
    )


def run(lab: str, seeds: int) -> None:
    """Run the lab; keep its results.json and figures under docs/."""
    cmd = [
        f"labs/{lab}.py",
        "--seeds",
        str(seeds),
        "--no-tensorboard",
        *FLAGS.get(lab, []),
    ]
    print(f"--- python {' '.join(cmd)}", flush=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, *cmd, "--log-dir", str(LOGS)], cwd=ROOT, check=True)
    wall = time.perf_counter() - started
    run_dir = max((LOGS / stem(lab)).iterdir())
    saved = json.loads((run_dir / "results.json").read_text())
    saved.update(
        wall=wall,
        command="python " + " ".join(cmd),
        code=code_hash(lab),
        date=datetime.date.today().isoformat(),
    )
    SAVED.mkdir(parents=True, exist_ok=True)
    (SAVED / f"{stem(lab)}.json").write_text(json.dumps(saved, indent=1) + "\n")
    FIGURES.mkdir(parents=True, exist_ok=True)
    for old in FIGURES.glob(f"{stem(lab)}__*.png"):
        old.unlink()
    for png in run_dir.glob("*.png"):
        shutil.copyfile(png, FIGURES / f"{stem(lab)}__{png.name}")


def judge(lab: str) -> tuple[dict, dict, dict, Claim]:
    """The lab's saved file, its module, its results, and its own claim on them."""
    saved = json.loads((SAVED / f"{stem(lab)}.json").read_text())
    module = runpy.run_path(str(ROOT / "labs" / f"{lab}.py"))
    results = load(SAVED / f"{stem(lab)}.json")
    claim = module["claim"](results)
    if saved["seeds"] == 1:
        claim.notes.append("rests on one seed")
    return saved, module, results, claim


def title(module: dict) -> str:
    return re.search(r"^Title: (.+)$", module["__doc__"], re.M)[1]


def source(module: dict) -> tuple[str, str]:
    """The header's Book: or Paper: paragraph (what the source ran and shows), as
    ("book" or "paper", text), or ("", "")."""
    found = re.search(
        r"^(Book|Paper): (.+?)\n(?=\w+: )", module["__doc__"], re.M | re.S
    )
    return (found[1].lower(), " ".join(found[2].split())) if found else ("", "")


def section(
    i: int, lab: str, saved: dict, module: dict, results: dict, claim: Claim
) -> str:
    rows = table(results, saved["target"]).splitlines()
    head = ["variant", *re.split(r"\s{2,}", rows[0].strip())]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows[1:]:
        md.append("| " + " | ".join(re.split(r"\s{2,}", row.strip())) + " |")
    checks = "\n".join(f"- {c.text}: {c.numbers} — *{c.outcome}*" for c in claim.checks)
    figures = "\n\n".join(
        f"![{p.stem}](docs/figures/{p.name})"
        for p in sorted(FIGURES.glob(f"{stem(lab)}__*.png"))
    )
    v = saved["versions"]
    kind, shows = source(module)
    return "\n\n".join(
        [
            f"## {i}. {title(module)}",
            *([f"**The {kind}:** {shows}"] if shows else []),
            f"**Claim:** {claim.sentence}.",
            f"**Verdict: {claim.verdict}**"
            + (f" ({'; '.join(claim.notes)})" if claim.notes else "")
            + f", over {saved['seeds']} seeds (mean ± std):\n\n{checks}",
            "\n".join(md),
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
        saved, module, results, claim = judge(lab)
        walls += saved["wall"]
        sections.append(section(i, lab, saved, module, results, claim))
        verdict = claim.verdict if claim.verdict == "holds" else f"**{claim.verdict}**"
        summary.append(
            f"| {i} | {claim.sentence} | {verdict} | `make {TARGETS[lab]}` |"
        )
        best = max(results, key=lambda n: results[n].stat("test_accuracy").mean)
        readme.append(
            f"| `make {TARGETS[lab]}` | {title(module)} | "
            f"{pct(results[best].stat('test_accuracy'))} ({best}) | {verdict} |"
        )
    return sections, summary, readme, walls


def render(labs: list[str]) -> None:
    lecture = [lab for lab in labs if lab in LABS]
    textbook = [lab for lab in labs if lab in BOOK]
    sections, summary, readme, walls = group(lecture)
    b_sections, b_summary, b_readme, b_walls = group(textbook, len(lecture) + 1)
    papers = [lab for lab in labs if lab in PAPERS]
    p_sections, p_summary, _, p_walls = group(papers, len(lecture) + len(textbook) + 1)
    head = "| # | claim | verdict | command |\n|---|---|---|---|\n"
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
            head + "\n".join(summary),
            *sections,
            *(
                [
                    "# The textbook, side by side",
                    "Chapter 6 of *Deep Learning from Scratch* (Saito) runs one "
                    "program per figure on MNIST (ch06/ in "
                    "oreilly-japan/deep-learning-from-scratch). labs/textbook/ runs "
                    "each program's set-up with dnnlab's Config; each section says "
                    "what the book ran and shows, where the set-up differs, and "
                    "whether the book's result holds here.",
                    head + "\n".join(b_summary),
                    *b_sections,
                ]
                if textbook
                else []
            ),
            *(
                [
                    "# The papers, side by side",
                    "The lecture's claims come from a handful of papers, each with "
                    "an MNIST figure or table. labs/papers/ runs each one's set-up "
                    "with dnnlab's Config, shortened where 2 cores demand it (each "
                    "section says so); each section quotes what the paper ran and "
                    "shows, and whether it holds here.",
                    head + "\n".join(p_summary),
                    *p_sections,
                ]
                if papers
                else []
            ),
        ]
    )
    PAGE.write_text(text + "\n")
    lines = [
        "| command | lab | best test accuracy (variant) | claim |",
        "|---|---|---|---|",
        *readme,
        *b_readme,
    ]
    page = README.read_text()
    block = f"{README_START}\n" + "\n".join(lines) + f"\n{README_END}"
    page = re.sub(
        re.escape(README_START) + ".*?" + re.escape(README_END),
        lambda _: block,
        page,
        flags=re.S,
    )
    README.write_text(page)
    print(f"wrote RESULTS.md and the README's lab table ({len(labs)} labs)")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("labs", nargs="*", help="labs to bring up to date (default: all)")
    p.add_argument("--render", action="store_true", help="only rewrite the pages")
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args(argv)
    if not args.render:
        for lab in args.labs or TARGETS:
            if lab not in TARGETS:
                p.error(f"unknown lab {lab!r}; one of: " + ", ".join(TARGETS))
            if args.labs or stale(lab):
                run(lab, args.seeds)
            else:
                print(f"--- {lab}: saved results match its code, kept")
    render([lab for lab in TARGETS if (SAVED / f"{stem(lab)}.json").is_file()])


if __name__ == "__main__":
    main()
