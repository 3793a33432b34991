"""make results: every lab at its defaults, then RESULTS.md — each claim of the lecture
with its table, its figure and a verdict computed from the numbers.

A lab runs again only when its saved results are older than its code (the lab or the
dnnlab package); the README's lab table is rewritten from the same runs.

Usage: python scripts/results.py [--render]   (--render: only rewrite from saved runs)
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import lab_table

ROOT = lab_table.ROOT
LOGS = ROOT / "logs"
FIGURES = ROOT / "docs" / "figures"
SEARCH = "DNN_hyperparameter_search"
SEARCH_FLAGS = ["--strategy", "all", "--trials", "15", "--overwrite"]
SAVED = (
    LOGS / "lab_table.json"
)  # lab -> {"wall": s, "run": folder}, shared with the table


def code_time(lab: str) -> float:
    files = [ROOT / "labs" / f"{lab}.py", *(ROOT / "dnnlab").glob("*.py")]
    return max(f.stat().st_mtime for f in files)


def result_file(lab: str, run: str) -> Path:
    return Path(run) / ("search.json" if lab == SEARCH else "results.json")


def fresh(lab: str, runs: dict) -> bool:
    saved = runs.get(lab)
    if not saved or not result_file(lab, saved["run"]).is_file():
        return False
    return result_file(lab, saved["run"]).stat().st_mtime > code_time(lab)


def run_all(runs: dict) -> None:
    for lab in [*lab_table.LABS, SEARCH]:
        if fresh(lab, runs):
            print(f"--- {lab}: saved results are newer than its code, kept", flush=True)
            continue
        print(f"--- {lab}", flush=True)
        if lab == SEARCH:
            started = time.perf_counter()
            cmd = [sys.executable, f"labs/{lab}.py", *SEARCH_FLAGS]
            subprocess.run(cmd, cwd=ROOT, check=True)
            runs[lab] = {"wall": time.perf_counter() - started, "run": str(LOGS / lab)}
        else:
            runs[lab] = lab_table.run(lab)
        SAVED.write_text(json.dumps(runs, indent=1))  # a failing lab keeps the rest


# --- reading the runs -------------------------------------------------------------


class Runs:
    def __init__(self, runs: dict):
        self.runs = runs

    def folder(self, lab: str) -> Path:
        return Path(self.runs[lab]["run"])

    def results(self, lab: str) -> dict:
        return json.loads(result_file(lab, self.runs[lab]["run"]).read_text())

    def json(self, lab: str, name: str):
        return json.loads((self.folder(lab) / name).read_text())

    def figure(self, lab: str, name: str) -> str:
        """Copy a lab's PNG into docs/figures; its path relative to RESULTS.md."""
        FIGURES.mkdir(parents=True, exist_ok=True)
        target = FIGURES / f"{lab}__{name}"
        shutil.copyfile(self.folder(lab) / name, target)
        return f"docs/figures/{target.name}"


def pct(x: float) -> str:
    return f"{100 * x:.2f} %" if math.isfinite(x) else "nan"


def gap(r: dict) -> float:
    return 100 * (r["train_accuracy"] - r["test_accuracy"])


def gap_table(res: dict, first: str) -> tuple[dict[str, float], str]:
    """Each variant's train − test gap in points, and the table of the overfitting labs."""
    gaps = {n: gap(r) for n, r in res.items()}
    rows = [
        [n, pct(r["train_accuracy"]), pct(r["test_accuracy"]), f"{gaps[n]:.1f}"]
        for n, r in res.items()
    ]
    head = [first, "train accuracy", "test accuracy", "gap (points)"]
    return gaps, md_table(head, rows)


def epochs_to(r: dict, accuracy: float) -> int | None:
    vals = r["history"].get("val_accuracy", [])
    return next((i for i, v in enumerate(vals, 1) if v >= accuracy), None)


def iters_below(r: dict, loss: float) -> int | None:
    return next((step for step, value in r["trace"] if value < loss), None)


def never(n) -> str:
    return "never" if n is None else str(n)


def within(n, unit: str) -> str:
    return "never" if n is None else f"in {n} {unit}"


def at(n) -> str:
    return "never" if n is None else f"at trial {n}"


def before(a, b) -> bool:
    """a happened (epochs, trials, iterations) before b; None is never."""
    return a is not None and (b is None or a < b)


def md_table(head: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def bars(values: dict[str, float], ylabel: str, title: str, name: str, log=False):
    """A bar chart of one number per variant, saved in docs/figures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    FIGURES.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    ax.bar(list(values), list(values.values()), color="tab:blue")
    ax.set(ylabel=ylabel, title=title, yscale="log" if log else "linear")
    ax.grid(alpha=0.3, axis="y")
    fig.savefig(FIGURES / name, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f"docs/figures/{name}"


# --- the claims: each returns (table, figure, verdict, reproduced) ----------------


def claim_softmax_and_cross_entropy(R: Runs):
    res = R.results("DNN_cost_function")
    sums = R.json("DNN_cost_function", "softmax_sums.json")
    worst = max(abs(s - 1) for s in sums)
    ce, mse = res["cross_entropy"], res["mse"]
    target = 0.95
    e_ce, e_mse = epochs_to(ce, target), epochs_to(mse, target)
    rows = [
        [
            n,
            pct(r["test_accuracy"]),
            never(epochs_to(r, target)),
            f"{r['history']['loss'][-1]:.4f}",
        ]
        for n, r in res.items()
    ]
    table = md_table(
        ["cost", "test accuracy", "epochs to 95 % val.", "final loss"], rows
    )
    table += f"\n\nSoftmax outputs of three test images sum to {', '.join(f'{s:.6f}' for s in sums)}."
    ok = worst < 1e-5 and (
        before(e_ce, e_mse) or ce["test_accuracy"] > mse["test_accuracy"]
    )
    verdict = (
        f"Softmax rows sum to 1 (largest deviation {worst:.1e}); with the same plain "
        f"gradient descent, cross-entropy reached 95 % validation accuracy "
        f"{within(e_ce, 'epochs')} and MSE {within(e_mse, 'epochs')}, ending at "
        f"{pct(ce['test_accuracy'])} against {pct(mse['test_accuracy'])} test accuracy."
    )
    return table, R.figure("DNN_cost_function", "compare.png"), verdict, ok


def claim_vanishing_gradient(R: Runs):
    res, cols = R.results("DNN_activation"), R.json("DNN_activation", "columns.json")
    ratio = {n: float(v) for n, v in cols["grad 1st/last"].items()}
    rows = [[n, f"{ratio[n]:.3g}", pct(r["test_accuracy"])] for n, r in res.items()]
    table = md_table(
        ["activation", "grad. norm 1st / last hidden layer", "test accuracy"], rows
    )
    figure = bars(
        ratio,
        "first / last hidden layer",
        "gradient norm ratio before training",
        "claim_vanishing_gradient.png",
        log=True,
    )
    ok = ratio["sigmoid"] < 0.1 <= ratio["relu"]
    verdict = (
        f"In the five-layer net before training, sigmoid's first hidden layer gets "
        f"{ratio['sigmoid']:.3g} × the gradient norm of its last, ReLU's "
        f"{ratio['relu']:.3g} ×: "
        + (
            "sigmoid's gradient vanishes toward the input and ReLU's does not."
            if ok
            else "the expected gap did not appear."
        )
    )
    return table, figure, verdict, ok


def claim_dead_relu(R: Runs):
    cols = R.json("DNN_activation", "columns.json")
    dead = {n: float(v.rstrip("%")) for n, v in cols["dead units"].items() if v != "—"}
    rows = [[n, f"{v:.1f} %"] for n, v in dead.items()]
    table = md_table(["activation", "dead hidden units after training"], rows)
    figure = bars(
        dead,
        "dead hidden units (%)",
        "units with the same output on 1,000 images",
        "claim_dead_relu.png",
    )
    alive = max(dead["leaky_relu"], dead["elu"])
    ok = dead["relu"] > 0 and alive < dead["relu"]
    verdict = (
        f"After training, {dead['relu']:.1f} % of ReLU's hidden units give the same "
        f"output on every image (dead); Leaky ReLU {dead['leaky_relu']:.1f} %, ELU "
        f"{dead['elu']:.1f} %"
        + (": the claim holds." if ok else ": the claim did not reproduce.")
    )
    return table, figure, verdict, ok


def claim_learning_rate(R: Runs):
    res = R.results("DNN_learning_rate")
    sgd = {n: r for n, r in res.items() if n.startswith("sgd_")}
    rows = [
        [
            n,
            pct(r["test_accuracy"]),
            f"{r['history']['loss'][0]:.3g}",
            f"epoch {r['diverged_at']}" if r["diverged_at"] else "—",
        ]
        for n, r in res.items()
    ]
    table = md_table(
        ["optimizer_rate", "test accuracy", "loss after epoch 1", "diverged"], rows
    )
    rates = sorted(sgd, key=lambda n: float(n.split("_")[1]))
    small, large = sgd[rates[0]], sgd[rates[-1]]
    best = max(sgd.values(), key=lambda r: r["test_accuracy"])
    overshoot = (
        large["diverged_at"] is not None
        or large["test_accuracy"] < best["test_accuracy"] - 0.05
    )
    crawl = small["test_accuracy"] < best["test_accuracy"] - 0.05
    ok = overshoot and crawl
    best_name = max(sgd, key=lambda n: sgd[n]["test_accuracy"])
    verdict = (
        f"Plain gradient descent at rate {rates[-1].split('_')[1]} "
        + (
            f"diverged in epoch {large['diverged_at']}"
            if large["diverged_at"]
            else f"ended at {pct(large['test_accuracy'])}"
        )
        + f"; at {rates[0].split('_')[1]} it crawled to {pct(small['test_accuracy'])} in the "
        f"same epochs; the best, {best_name.split('_')[1]}, reached {pct(best['test_accuracy'])}"
        + (
            " — too big overshoots, too small crawls."
            if ok
            else " — the claim did not fully reproduce."
        )
    )
    return table, R.figure("DNN_learning_rate", "loss_by_iteration.png"), verdict, ok


def claim_optimizers(R: Runs):
    res = R.results("DNN_optimizer")
    loss = 0.2
    it = {n: iters_below(r, loss) for n, r in res.items()}
    rows = [[n, never(it[n]), pct(r["test_accuracy"])] for n, r in res.items()]
    table = md_table(
        ["optimizer", f"iterations to training loss < {loss}", "test accuracy"], rows
    )
    faster = [n for n in ("momentum", "rmsprop", "adam") if before(it[n], it["sgd"])]
    ok = len(faster) == 3
    verdict = (
        f"Training loss below {loss} (iterations): SGD {never(it['sgd'])} in "
        f"{len(res['sgd']['history']['loss'])} epochs, Momentum "
        f"{never(it['momentum'])}, RMSProp {never(it['rmsprop'])}, Adam {never(it['adam'])}"
        + (
            " — all three faster than SGD."
            if ok
            else f" — only {', '.join(faster) or 'none'} faster than SGD."
        )
    )
    return table, R.figure("DNN_optimizer", "loss_by_iteration.png"), verdict, ok


def claim_initialization(R: Runs):
    res, std = (
        R.results("DNN_initializer"),
        R.json("DNN_initializer", "activation_std.json"),
    )
    bn = R.results("DNN_batch_normalization")
    kept = {n: s[-1] / s[0] for n, s in std.items()}
    rows = [
        [
            n,
            " → ".join(f"{v:.2g}" for v in std[n]),
            f"{kept[n]:.2g}",
            pct(r["test_accuracy"]),
            never(epochs_to(r, 0.97)),
        ]
        for n, r in res.items()
    ]
    table = md_table(
        [
            "initializer",
            "activation std, layers 1 → 5",
            "last / first",
            "test accuracy",
            "epochs to 97 % val.",
        ],
        rows,
    )
    table += (
        f"\n\nWith plain SGD (the batch-normalization lab, five ReLU layers): He "
        f"{pct(bn['he']['test_accuracy'])}, normal std 0.01 {pct(bn['normal_0.01']['test_accuracy'])}."
    )
    spread = all(0.1 <= kept[n] <= 10 for n in ("he",)) and kept["xavier"] >= 0.1
    shrinks = kept["normal_0.01"] < 0.01
    he_suits = res["he"]["test_accuracy"] >= res["xavier"]["test_accuracy"]
    stalls = bn["normal_0.01"]["test_accuracy"] < 0.5
    ok = spread and shrinks and he_suits and stalls
    verdict = (
        f"At initialization the last hidden layer's activations keep {kept['he']:.2g} × the "
        f"first layer's spread under He and {kept['xavier']:.2g} × under Xavier, but "
        f"{kept['normal_0.01']:.1e} × under a normal of std 0.01"
        + (
            " (spread kept, naive start shrinks)"
            if spread and shrinks
            else " (not as claimed)"
        )
        + f"; He {'≥' if he_suits else '<'} Xavier in test accuracy "
        f"({pct(res['he']['test_accuracy'])} vs {pct(res['xavier']['test_accuracy'])})"
        + ("" if he_suits else ", so 'He suits ReLU' did not show in accuracy here")
        + f"; the std-0.01 start {'stalls' if stalls else 'does not stall'} under plain SGD "
        f"({pct(bn['normal_0.01']['test_accuracy'])}) while with Adam it reaches "
        f"{pct(res['normal_0.01']['test_accuracy'])}."
    )
    return table, R.figure("DNN_initializer", "activations.png"), verdict, ok


def claim_weight_decay(R: Runs):
    res = R.results("DNN_regularization")
    gaps, table = gap_table(res, "weight decay")
    figure = bars(
        gaps,
        "train − test accuracy (points)",
        "1,000 training images, 30 epochs",
        "claim_weight_decay.png",
    )
    l2 = min((n for n in gaps if n.startswith("l2")), key=gaps.get)
    l1 = min((n for n in gaps if n.startswith("l1")), key=gaps.get)
    ok = gaps[l2] < gaps["none"] and gaps[l1] < gaps["none"]
    verdict = (
        f"Without decay the gap is {gaps['none']:.1f} points; L2 ({l2}) narrows it to "
        f"{gaps[l2]:.1f} and L1 ({l1}) to {gaps[l1]:.1f}, at test accuracy "
        f"{pct(res[l2]['test_accuracy'])} and {pct(res[l1]['test_accuracy'])} against "
        f"{pct(res['none']['test_accuracy'])}"
        + ("." if ok else " — not narrower, the claim did not reproduce.")
    )
    return table, figure, verdict, ok


def claim_batch_norm(R: Runs):
    res = R.results("DNN_batch_normalization")
    target = 0.97
    e = {n: epochs_to(r, target) for n, r in res.items()}
    rows = [[n, never(e[n]), pct(r["test_accuracy"])] for n, r in res.items()]
    table = md_table(["variant", "epochs to 97 % val.", "test accuracy"], rows)
    faster = not before(e["he"], e["he+bn"])  # BN no later than without
    tolerant = (
        res["normal_0.01+bn"]["test_accuracy"]
        > res["normal_0.01"]["test_accuracy"] + 0.5
    )
    ok = faster and tolerant
    verdict = (
        f"From He, BN reached 97 % validation accuracy in {never(e['he+bn'])} epochs against "
        f"{never(e['he'])} without; from a normal of std 0.01, without BN the net stalls at "
        f"{pct(res['normal_0.01']['test_accuracy'])} and with BN it reaches "
        f"{pct(res['normal_0.01+bn']['test_accuracy'])}"
        + (
            "."
            if ok
            else " — "
            + (
                "BN was not faster from He."
                if not faster
                else "BN did not rescue the poor start."
            )
        )
    )
    return table, R.figure("DNN_batch_normalization", "compare.png"), verdict, ok


def claim_dropout(R: Runs):
    res = R.results("DNN_dropout")
    gaps, table = gap_table(res, "variant")
    ok = (
        gaps["dropout_0.2"] < gaps["dropout_0"]
        and gaps["dropout_0.5"] < gaps["dropout_0"]
    )
    verdict = (
        f"On 2,000 images the gap is {gaps['dropout_0']:.1f} points without dropout, "
        f"{gaps['dropout_0.2']:.1f} with 0.2 and {gaps['dropout_0.5']:.1f} with 0.5"
        + (" — dropout narrows it" if ok else " — dropout did not narrow it")
        + f"; the net too small to fit has a small gap ({gaps['too_small']:.1f}) and "
        f"{pct(res['too_small']['test_accuracy'])} test accuracy: underfitting."
    )
    return table, R.figure("DNN_dropout", "train_vs_validation.png"), verdict, ok


def claim_search(R: Runs):
    """Random against grid: trials to grid's best. Bayesian against random: trials to
    random's best. All at the same trial budget."""
    found = R.results(SEARCH)
    s = found["strategies"]
    grid_best, random_best = (
        max(s["grid"]["best_so_far"]),
        max(s["random"]["best_so_far"]),
    )

    def to(name: str, level: float) -> int | None:
        best = s[name]["best_so_far"]
        return next((i for i, b in enumerate(best, 1) if b >= level), None)

    rows = [
        [
            n,
            len(f["scores"]),
            pct(max(f["best_so_far"])),
            never(to(n, grid_best)),
            never(to(n, random_best)),
            f"{f['seconds']:.0f} s",
        ]
        for n, f in s.items()
    ]
    head = [
        "strategy",
        "trials",
        "best validation accuracy",
        f"trials to grid's best ({pct(grid_best)})",
        f"trials to random's best ({pct(random_best)})",
        "search time",
    ]
    table = md_table(head, rows)
    best = found["best"]
    table += (
        f"\n\nThe best configuration, trained on all training images: validation "
        f"{pct(best['val_accuracy'])}, test {pct(best['test_accuracy'])} (one test evaluation)."
    )
    g, r = to("grid", grid_best), to("random", grid_best)
    rr, b = to("random", random_best), to("bayesian", random_best)
    random_ok, bayes_ok = before(r, g), before(b, rr)
    verdict = (
        f"Grid search's best ({pct(grid_best)}) came {at(g)}; random search "
        f"matched it {at(r)}"
        + (" (fewer)" if random_ok else " (not fewer)")
        + f". Random search's best ({pct(random_best)}) came {at(rr)}; "
        f"Bayesian search matched it {at(b)}"
        + (" (fewer)" if bayes_ok else " (not fewer)")
        + (
            ". Both parts hold."
            if random_ok and bayes_ok
            else ". Random ≤ grid: "
            + ("yes" if random_ok else "no")
            + "; Bayesian fewer than random: "
            + ("yes" if bayes_ok else "no")
            + "."
        )
    )
    return table, R.figure(SEARCH, "best_so_far.png"), verdict, random_ok and bayes_ok


CLAIMS = [
    (
        "Softmax outputs are probabilities; cross-entropy trains faster than MSE",
        "DNN_cost_function",
        claim_softmax_and_cross_entropy,
    ),
    (
        "In a deep net, sigmoid's gradients vanish toward the input; ReLU's do not",
        "DNN_activation",
        claim_vanishing_gradient,
    ),
    (
        "ReLU units can die; Leaky ReLU and ELU keep them alive",
        "DNN_activation",
        claim_dead_relu,
    ),
    (
        "A learning rate too large overshoots or diverges; one too small crawls",
        "DNN_learning_rate",
        claim_learning_rate,
    ),
    (
        "Momentum, RMSProp and Adam reach a given loss in fewer iterations than SGD",
        "DNN_optimizer",
        claim_optimizers,
    ),
    (
        "Xavier and He keep activations spread; He suits ReLU; a naive small normal stalls a deep net",
        "DNN_initializer",
        claim_initialization,
    ),
    (
        "L2 and L1 weight decay narrow the gap between training and test accuracy",
        "DNN_regularization",
        claim_weight_decay,
    ),
    (
        "Batch normalization converges in fewer epochs and tolerates a poorly scaled initialization",
        "DNN_batch_normalization",
        claim_batch_norm,
    ),
    ("Dropout narrows the overfitting gap", "DNN_dropout", claim_dropout),
    (
        "Random search finds as good a configuration as grid search in fewer trials, Bayesian in fewer still",
        SEARCH,
        claim_search,
    ),
]

# Published accuracy of the same exercise elsewhere (quoted, not rerun here).
ZERO_TO_ALL = "DeepLearningZeroToAll (hunkim) lab-10"
PUBLISHED = [
    ("DNN_softmax", "keras", "softmax regression", "91.94 %", ZERO_TO_ALL + " softmax"),
    (
        "DNN_initializer",
        "xavier",
        "Xavier initialization",
        "97.83 %",
        ZERO_TO_ALL + " Xavier",
    ),
    (
        "DNN_deep_hidden_layer5",
        "relu",
        "deep net (five hidden layers)",
        "97.42 %",
        ZERO_TO_ALL + " deep",
    ),
    (
        "DNN_deep_hidden_layer3",
        "relu",
        "ReLU, dropout",
        "98.04 %",
        ZERO_TO_ALL + " dropout",
    ),
    (
        SEARCH,
        None,
        "best MLP",
        "98.40 %",
        "Keras example mnist_mlp (512-512, dropout 0.2, RMSprop, 20 epochs)",
    ),
]


def write(runs: dict, total: float | None) -> None:
    R = Runs(runs)
    sections, summary = [], []
    for i, (claim, lab, fn) in enumerate(CLAIMS, 1):
        table, figure, verdict, ok = fn(R)
        mark = "reproduced" if ok else "**not reproduced**"
        summary.append(
            [
                i,
                claim,
                mark,
                f"`make {lab_table.LABS.get(lab)}`"
                if lab in lab_table.LABS
                else "`python labs/DNN_hyperparameter_search.py "
                + " ".join(SEARCH_FLAGS)
                + "`",
            ]
        )
        sections.append(
            f"## {i}. {claim}\n\n{table}\n\n![{lab}]({figure})\n\n"
            f"**Verdict ({'reproduced' if ok else 'not reproduced'}):** {verdict}\n\n"
            f"Run: `{lab}`, {runs[lab]['wall']:.0f} s, folder `{Path(runs[lab]['run']).relative_to(ROOT)}`."
        )
    published = []
    for lab, variant, what, theirs, source in PUBLISHED:
        res = R.results(lab)
        ours = (
            res["best"]["test_accuracy"]
            if lab == SEARCH
            else res[variant]["test_accuracy"]
        )
        published.append([f"`{lab}.py`", what, pct(ours), theirs, source])
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, no GPU, Python "
        f"{platform.python_version()}, TensorFlow {version('tensorflow')}"
    )
    walls = sum(runs[lab]["wall"] for lab in [*lab_table.LABS, SEARCH] if lab in runs)
    text = "\n\n".join(
        [
            "# RESULTS: the lecture's claims, reproduced and measured",
            f"Written by `make results` (scripts/results.py) on {machine}, "
            f"{datetime.date.today().isoformat()}. Every number and verdict below is computed "
            f"from the labs' saved runs; the labs' own wall times add up to {walls / 60:.1f} min"
            + (f"; this `make results` took {total / 60:.1f} min." if total else "."),
            md_table(["#", "claim", "verdict", "command"], summary),
            "### Test accuracy beside published figures of the same exercise\n\n"
            + md_table(["lab", "exercise", "dnnlab", "published", "source"], published)
            + "\n\nThe published figures are quoted as their courses report them, not rerun here.",
            *sections,
        ]
    )
    (ROOT / "RESULTS.md").write_text(text + "\n")
    print(f"wrote {ROOT / 'RESULTS.md'}")


def main() -> None:
    runs = json.loads(SAVED.read_text()) if SAVED.is_file() else {}
    started = time.perf_counter()
    if "--render" not in sys.argv:
        run_all(runs)
    write(runs, None if "--render" in sys.argv else time.perf_counter() - started)
    lab_table.main([])  # the README's table, from the same runs


if __name__ == "__main__":
    main()
