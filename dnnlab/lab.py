"""The one shape of every lab: a Lab, declared as data, and Lab.run(), its entry.

run() parses the flags (before TensorFlow loads), prints the Keras model of each
architecture, trains every variant under every seed into
<log_dir>/<lab>/<timestamp>/<variant>/seed-<k>, prints the table, saves the figures
and results.json, and ends with the claim's verdict.
"""

from __future__ import annotations

import dataclasses
import os
import platform
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from dnnlab import i18n, notebook
from dnnlab.claims import Claim, Prediction, Stat, pct
from dnnlab.cli import Flags, parse, program, usage_error
from dnnlab.config import FIELDS, Config, ConfigError
from dnnlab.files import FileProblem, clean, read_json, why, write_json
from dnnlab.i18n import _, as_shown, ljust, msg, rjust, width

# Fields that change where and how a run is logged, not what it computes.
NEUTRAL = {
    "name",
    "tensorboard",
    "resume",
    "log_dir",
    "deterministic",
    "xla",
    "plain_keras",
}


# The tests' quick run of a lab that trains a net, before the lab's own quick flags.
QUICK = ("--limit", "600", "--epochs", "1", "--no-tensorboard")
# The flags of a lab that trains no net, beside the Config fields its fit uses.
RUN = {"seed": "", "log_dir": "root folder of the lab's runs"}


ACCURACIES = msg(
    "  accuracies after training, in inference mode (the progress bar's: a\n"
    "  running mean over the epoch's batches while the weights change)"
)


def header_text(key: str, text: str) -> str:
    """A header field in the language spoken; the command line (Run) as it is."""
    return text if key == "Run" else _(text)


class Seeds(list):
    """One variant's results, a Result per seed; stat() gives a number over seeds."""

    def stat(self, key: str | Callable) -> Stat:
        """key: a Result attribute, one of its extras, or a function of a Result."""

        def value(r):
            if callable(key):
                return key(r)
            return r.extras[key] if key in r.extras else getattr(r, key)

        return Stat(tuple(float(value(r)) for r in self))


def column(key: str | Callable, spec: str = ".3g") -> Callable[[Seeds], str]:
    """A column of a lab's own table (a Lab's `columns`): a number over seeds,
    shown as mean ± std; key as for Seeds.stat."""
    return lambda seeds: seeds.stat(key).show(spec=spec)


def problem(e: Exception) -> str:
    """The one line a lab prints for a fault of the outside world."""
    if isinstance(e, FileProblem):
        return str(e)
    if isinstance(e, OSError):
        name = e.filename or _("the run's files")
        return _(
            "cannot write {name}: {why}; what finished is saved: make room, then "
            "run the same command with --resume (DNNLAB_DEBUG=1 shows the traceback)"
        ).format(name=name, why=as_shown(why(e)))
    return _("data error: {error}").format(error=as_shown(str(e)))


@dataclasses.dataclass
class Lab:
    """A lab, declared once as data: its text, its variants and claim, what it
    measures and draws, and how the tests and the saved results run it. A lab file
    ends with `LAB = Lab(...)`, and `LAB.run()` under `__main__`; the tools import
    LAB and read it."""

    title: str
    description: str
    variants: Config | dict[str, Config]  # a single Config is named "net"
    claim: Callable[[dict[str, Seeds]], Claim]  # results -> Claim, the lesson
    slide: str = ""  # the lecture's slide (and exercise) it reproduces
    book: str = ""  # the textbook's program: what it runs and shows
    paper: str = ""  # the paper: what it ran and shows
    usage: str = ""  # its command line, e.g. python labs/DNN_softmax.py [--seeds 3]
    target: float = 0.97  # validation accuracy whose first epoch the table reports
    # {name: f(result, data) -> number or list}: a lab's own numbers, computed
    # after each run and saved in its result.
    extras: dict[str, Callable] = dataclasses.field(default_factory=dict)
    figures: dict[str, Callable] = dataclasses.field(default_factory=dict)  # PNGs
    detail: bool = False  # batch scalars, learning rate, histograms in TensorBoard
    fit: Callable | None = None  # (name, config, data, run_dir, **options) -> Result
    options: dict[str, dict] = dataclasses.field(default_factory=dict)  # its flags
    # {header: f(seeds) -> text}: the table's columns instead of the accuracies, for
    # a lab whose fit trains no net on MNIST: no model listing, no learning curves.
    columns: dict[str, Callable[[Seeds], str]] | None = None
    # {header: f(seeds) -> text}: a net's own columns, after its accuracies.
    added: dict[str, Callable[[Seeds], str]] = dataclasses.field(default_factory=dict)
    # A lab that trains no net (it has columns) is a kind of its own: its flags are
    # the Config fields its fit reads, {field: what it means here, or "" for
    # Config's help}, and --seed, --seeds, --log-dir; mnist says whether it reads
    # MNIST at all (the bowl and the formulas do not).
    uses: dict[str, str] = dataclasses.field(default_factory=dict)
    mnist: bool = True
    quick: tuple[str, ...] = ()  # the tests' quick run (after QUICK for a net)
    results: tuple[
        str, ...
    ] = ()  # the saved results' run, beside --seeds 3 (or its own)
    renamed: dict[str, str] = dataclasses.field(default_factory=dict)  # old: new
    # The claim's question, asked before the run (a notebook's prediction cell).
    prediction: Prediction | None = None
    # The explorers (dnnlab/explore.py) its notebook opens after the run.
    explorers: tuple[str, ...] = ()

    def __post_init__(self):
        if isinstance(self.variants, Config):
            self.variants = {"net": self.variants}
        if self.net and (self.uses or not self.mnist):
            raise ValueError(
                f"{self.title}: uses and mnist are for a lab that "
                "trains no net (one with columns)"
            )

    def fields(self) -> dict[str, str] | None:
        """The Config fields that are its flags, with their help: all for a net."""
        return None if self.net else {**self.uses, **RUN}

    def quick_run(self) -> tuple[str, ...]:
        """The tests' quick run: QUICK for a net, then the lab's own flags."""
        return (*(QUICK if self.net else ()), *self.quick)

    @property
    def net(self) -> bool:
        """Whether it trains a net on MNIST (else its fit measures something else)."""
        return self.columns is None

    def header(self) -> list[tuple[str, str]]:
        """Its text as (key, text) pairs, in the order a reader meets them."""
        fields = [
            ("Title", self.title),
            ("Slide", self.slide),
            ("Book", self.book),
            ("Paper", self.paper),
            ("Description", self.description),
            ("Run", self.usage),
        ]
        return [(key, text) for key, text in fields if text]

    def text(self) -> str:
        """The header as its --help shows it, in the language spoken."""
        return "\n".join(
            f"{_(key)}: {header_text(key, text)}" for key, text in self.header()
        )

    def review(self, answer: str, results: dict[str, Seeds]) -> None:
        """Print whether a prediction matched the verdict of these results."""
        judged = claimed(self.claim, results, self.variants)
        print(self.prediction.review(answer, judged))

    def run(self, argv=None) -> dict[str, Seeds]:
        """Parse the flags, train, print the table, save figures and results, judge."""
        with i18n.speaking(None):  # a --lang holds for this run only
            flags = parse(
                self.variants,
                argv,
                self.options,
                self.renamed,
                self.text,
                self.fields(),
            )
            from dnnlab.data import DataError, prefetch

            if self.mnist:
                prefetch()  # reads MNIST while TensorFlow loads
            try:
                return _run(flags, self)
            except ConfigError as e:
                usage_error(program(), e)
            except (DataError, FileProblem, OSError) as e:
                if os.environ.get("DNNLAB_DEBUG"):
                    raise
                notebook.fail(f"{program()}: {problem(e)}", 1)
            except KeyboardInterrupt as e:
                notebook.fail(f"\n{program()}: {e or 'interrupted'}", 130)


def _run(flags: Flags, lab: Lab) -> dict[str, Seeds]:
    from dnnlab import device
    from dnnlab.data import load_mnist
    from dnnlab.model import describe
    from dnnlab.runs import run_folder
    from dnnlab.training import check_fits

    first = next(iter(flags.variants.values()))
    data = load_mnist() if lab.mnist else None
    if lab.net:
        for config in flags.variants.values():
            check_fits(config, data)  # before any folder is made
    print(device.banner(first.mixed_precision))
    if lab.net:
        print(describe(flags.variants), flush=True)
    root = run_folder(first)
    if first.resume:
        clean(root)  # a results.json half-written by a killed run
    results: dict[str, Seeds] = {}
    try:
        for name, config in flags.variants.items():
            results[name] = Seeds()
            for r in _seeds(flags, lab, name, config, data, root):
                results[name].append(r)  # kept for the table if Ctrl-C comes next
    except KeyboardInterrupt:
        done = {n: s for n, s in results.items() if s}
        if done:
            title = first.name + " " + _("(interrupted)")
            print(table(done, lab.target, title, lab.columns, lab.added).text())
        raise
    results = {n: s for n, s in results.items() if s}
    if results:
        _report(flags, lab, results, root)
    return results


def _seeds(flags: Flags, lab: Lab, name: str, config: Config, data, root: Path):
    """Each seed's Result of one variant, with the lab's extras, as it finishes."""
    from dnnlab.training import train

    for k in range(flags.seeds):
        seeded = config.replace(seed=config.seed + k)
        run_dir = root / name / f"seed-{seeded.seed}"
        line = _("--- {lab} · {variant} · seed {seed}")
        print(line.format(lab=config.name, variant=name, seed=seeded.seed), flush=True)
        if lab.fit is not None:
            r = lab.fit(name, seeded, data, run_dir, **flags.options)
            if r is None:  # a search worker: the chief has the results
                continue
        else:
            r = train(seeded, data, run_dir=run_dir, detail=lab.detail)
        missing = {e: f for e, f in lab.extras.items() if e not in r.extras}
        if missing:
            r.extras.update({e: f(r, data) for e, f in missing.items()})
            r.save()
        yield r


def _report(flags: Flags, lab: Lab, results: dict[str, Seeds], root: Path) -> None:
    """TensorBoard's sessions, results.json, the figures, the table, the verdict."""
    from dnnlab import device, plots

    first = next(iter(flags.variants.values()))
    if first.tensorboard and device.tensorboard_available():
        sessions(flags.variants, results)
    judged = judge(lab.claim, results, flags)
    shown = table(results, lab.target, first.name, lab.columns, lab.added)
    save(root, results, judged, shown, flags, lab.target)
    drawn = [plots.curves(results, root / "compare.png")] if lab.net else []
    drawn += [draw(results, root / file) for file, draw in lab.figures.items()]
    if notebook.active():
        notebook.markdown(shown.markdown(), shown.text())
    else:
        print(shown.text())
    if lab.net:
        print(_(ACCURACIES))
    if first.tensorboard:
        print(f"tensorboard --logdir {root}")
    if drawn:
        print(_("figures: {paths}").format(paths="  ".join(str(p) for p in drawn)))
    if flags.show:
        plots.show(drawn)
    if notebook.active():
        notebook.images(drawn)
        notebook.markdown(judged.markdown(flags.seeds), "\n".join(judged.lines()))
    else:
        print("\n".join(judged.lines()))


def sessions(variants: dict[str, Config], results: dict[str, Seeds]) -> None:
    """Each variant and seed an HParams session, with the fields that differ."""
    from dnnlab.tboard import write_session

    differ = [
        f
        for f in FIELDS
        if f != "seed" and len({getattr(c, f) for c in variants.values()}) > 1
    ]
    for name, seeds in results.items():
        for r in seeds:
            values = {"variant": name, "seed": r.config.seed}
            values.update({f: getattr(r.config, f) for f in differ})
            write_session(r.run_dir, values, f"{name}/seed-{r.config.seed}", r)


def claimed(claim: Callable, results: dict[str, Seeds], variants) -> Claim:
    """The claim on these results; not judged where a variant it needs was not run
    (of the lab's `variants`)."""
    try:
        return claim(results)
    except KeyError as e:
        if set(results) == set(variants):
            raise  # a claim that names a variant the lab does not have
        return Claim(msg("not judged: it needs variant {e}; run all variants", e=e), [])


def judge(claim: Callable, results: dict[str, Seeds], flags: Flags) -> Claim:
    """The claim on these results, with the notes on how they were made."""
    judged = claimed(claim, results, flags.all)
    judged.notes += notes(flags)
    return judged


def notes(flags: Flags) -> list[str]:
    """What the verdict line must say about how the lab was run."""
    out = []
    if flags.seeds == 1:
        out.append(msg("rests on one seed; --seeds 3 weighs the spread"))
    changed = sorted(set(flags.changed) - NEUTRAL)
    if changed:
        about = msg(
            "flags changed {flags}: the claim is about the lab as designed",
            flags=", ".join(changed),
        )
        out.append(about)
    return out


@dataclasses.dataclass
class Table:
    """A lab's results table as data: per variant, its cells and a note; shown as
    text (the terminal), as Markdown (RESULTS.md, notebooks) or as JSON."""

    title: str  # the corner cell: the lab's name, or "variant"
    head: list[str]
    rows: dict[str, list[str]]
    notes: dict[str, str]  # e.g. "diverged at epoch 1"; "" for none

    def shown(self) -> tuple[str, list[str], dict[str, list[str]], dict[str, str]]:
        """Title, head, rows and notes in the language spoken."""
        rows = {n: [as_shown(c) for c in row] for n, row in self.rows.items()}
        notes = {n: _(note) for n, note in self.notes.items()}
        return as_shown(self.title), [_(h) for h in self.head], rows, notes

    def text(self) -> str:
        """Columns aligned in a terminal's columns (a Hangul syllable takes two)."""
        title, head, rows, notes = self.shown()
        cols = [
            max(width(h), *(width(r[i]) for r in rows.values())) + 2
            for i, h in enumerate(head)
        ]
        first = max(width(title), *(width(n) + 2 for n in rows))
        lines = [ljust(title, first) + "".join(map(rjust, head, cols))]
        for name, row in rows.items():
            note = f"  {notes[name]}" if notes[name] else ""
            lines.append(
                ljust(f"  {name}", first) + "".join(map(rjust, row, cols)) + note
            )
        return "\n".join(lines)

    def markdown(self) -> str:
        def cells(row):
            return "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"

        title, head, rows, notes = self.shown()
        lines = [cells([title, *head]), "|---" * (len(head) + 1) + "|"]
        for name, row in rows.items():
            note = f" ({notes[name]})" if notes[name] else ""
            lines.append(cells([name + note, *row]))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def table(
    results: dict[str, Seeds],
    target: float,
    title: str = "",
    columns: dict[str, Callable[[Seeds], str]] | None = None,
    added: dict[str, Callable[[Seeds], str]] | None = None,
) -> Table:
    """Train and test accuracy, their gap, epochs to target (not for runs counted
    in steps, which are one epoch), the `added` columns and time per variant, or
    the lab's own columns and time; with several seeds, mean ± std."""
    by_epoch = any(not r.config.steps for seeds in results.values() for r in seeds)
    if columns is None:
        columns = {
            "train acc": lambda seeds: pct(seeds.stat("train_accuracy")),
            "test acc": lambda seeds: pct(seeds.stat("test_accuracy")),
            "gap": lambda seeds: pct(seeds.stat("gap")),
        }
        if by_epoch:
            reached = msg("epochs to {target:.0%}", target=target)
            columns[reached] = lambda seeds: seeds.stat(
                lambda r: r.epochs_to(target)
            ).show(spec=".2g")
    columns = {**columns, **(added or {})}
    rows, notes = {}, {}
    for name, seeds in results.items():
        rows[name] = [show(seeds) for show in columns.values()]
        rows[name].append(seeds.stat("wall_time").show(spec=".1f", unit="s"))
        diverged = [r.diverged_at for r in seeds if r.diverged_at]
        notes[name] = (
            msg("diverged at epoch {epoch}", epoch=diverged[0]) if diverged else ""
        )
    return Table(title, [*columns, msg("time")], rows, notes)


def versions() -> dict:
    """What a verdict may depend on: the libraries' defaults."""
    from dnnlab.backend import keras

    out = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "backend": keras.backend.backend(),
    }
    for package in ("keras", "tensorflow", "jax"):
        try:
            out[package] = version(package)
        except Exception:
            pass
    return out


def save(
    root: Path,
    results: dict[str, Seeds],
    claim: Claim,
    shown: Table,
    flags: Flags,
    target: float,
) -> Path:
    """results.json: every seed's result as numbers, the claim, the table and how
    it was run."""
    out = {
        "lab": root.parent.name,
        "seeds": flags.seeds,
        "target": target,
        "changed": {k: _jsonable(v) for k, v in flags.changed.items()},
        "versions": versions(),
        "claim": claim.to_dict(),
        "table": shown.to_dict(),
        "variants": {n: [r.to_dict() for r in s] for n, s in results.items()},
    }
    return write_json(root / "results.json", out)


def load(path: Path, remedy: str = "run the lab again") -> dict[str, Seeds]:
    """The results a lab saved, as its claim receives them."""
    from dnnlab.result import Result

    saved = read_json(path, remedy)
    return {
        n: Seeds(Result.from_dict(d) for d in runs)
        for n, runs in saved["variants"].items()
    }


def _jsonable(v):
    return list(v) if isinstance(v, tuple) else v
