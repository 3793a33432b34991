"""A lab's lesson as a claim: checks over the seeds' numbers, one rule for noise.

The rule, written once: two means differ when their difference exceeds twice its
standard error, √(s₁²/n₁ + s₂²/n₂); otherwise the check is *within seed noise*.
With one seed, or zero spread, the standard error is 0 and the values decide (the
verdict then says it rests on one seed). An infinite value — a diverged run's loss,
a target never reached — counts as +∞: an infinite mean differs from every finite
one, and two infinite means are within noise. A NaN is a number that is missing:
a check on it does not hold, in either direction, and says so. "About equal"
holds when the difference and twice its standard error lie within a stated
tolerance, fails when the difference exceeds the tolerance beyond noise.
Imports no TensorFlow.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dnnlab.i18n import _, msg

HOLDS, FAILS, NOISE = "holds", "does not hold", "within seed noise"
MISSING = "missing"
UNJUDGED = "not judged"


@dataclass(frozen=True)
class Stat:
    """One number over seeds."""

    values: tuple[float, ...]

    def __post_init__(self):
        # ±∞ is +∞ (diverged, never reached); NaN stays: a missing number.
        clean = tuple(math.inf if math.isinf(v) else float(v) for v in self.values)
        object.__setattr__(self, "values", clean)

    @property
    def missing(self) -> int:
        """How many values are NaN."""
        return sum(math.isnan(v) for v in self.values)

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def finite(self) -> bool:
        return all(math.isfinite(v) for v in self.values)

    @property
    def mean(self) -> float:
        """NaN with a missing value, +∞ with an infinite one."""
        if self.missing:
            return math.nan
        return statistics.fmean(self.values) if self.finite else math.inf

    @property
    def std(self) -> float:
        """Sample standard deviation; 0 for one seed, NaN with a non-finite value."""
        if not self.finite:
            return math.nan
        return statistics.stdev(self.values) if self.n > 1 else 0.0

    @property
    def se(self) -> float:
        return self.std / math.sqrt(self.n)

    def show(
        self, scale: float = 1.0, spec: str = ".3g", unit: str = "", inf: str = "never"
    ) -> str:
        """'97.03 ± 0.10 %', one value for one seed, `inf` ('never', 'diverged') for
        infinite values, 'missing' for NaN."""
        if self.missing:
            if self.missing == self.n:
                return msg(MISSING)
            return msg("missing in {k} of {n}", k=self.missing, n=self.n)
        if not self.finite:
            count = sum(not math.isfinite(v) for v in self.values)
            if count == self.n:
                return msg(inf)
            return msg("{inf} in {k} of {n}", inf=msg(inf), k=count, n=self.n)
        mean = format(scale * self.mean, spec)
        spread = f" ± {format(scale * self.std, spec)}" if self.n > 1 else ""
        return f"{mean}{spread}{unit}"


def stat(value) -> Stat:
    """A Stat from a Stat, one number or several."""
    if isinstance(value, Stat):
        return value
    if isinstance(value, Iterable):
        return Stat(tuple(value))
    return Stat((value,))


def differ(a, b) -> int:
    """+1 when a's mean is above b's beyond noise, −1 when below, 0 within noise
    or with a missing value (which fails a check before it asks)."""
    a, b = stat(a), stat(b)
    if a.missing or b.missing:
        return 0
    if not (a.finite and b.finite):
        return 0 if not (a.finite or b.finite) else (1 if not a.finite else -1)
    diff = a.mean - b.mean
    se = math.sqrt(a.se**2 + b.se**2)
    return 0 if abs(diff) <= 2 * se else (1 if diff > 0 else -1)


def pct(s: Stat) -> str:
    return s.show(100, ".2f", " %")


def num(s: Stat) -> str:
    return s.show()


def loss(s: Stat) -> str:
    """A loss: infinite means the run diverged."""
    return s.show(inf="diverged")


@dataclass(frozen=True)
class Check:
    """One comparison a claim rests on, with the numbers that decided it."""

    text: str
    outcome: str
    numbers: str


def above(text: str, a, b, fmt: Callable[[Stat], str] = pct) -> Check:
    """Holds when a's mean is above b's (a Stat or a fixed number) beyond noise."""
    return _check(text, a, b, fmt, lambda a, b: {1: HOLDS, -1: FAILS}.get(differ(a, b)))


def below(text: str, a, b, fmt: Callable[[Stat], str] = pct) -> Check:
    """Holds when a's mean is below b's beyond noise."""
    return _check(text, a, b, fmt, lambda a, b: {-1: HOLDS, 1: FAILS}.get(differ(a, b)))


def about(
    text: str, a, b, tolerance: float = 0.0, fmt: Callable[[Stat], str] = pct
) -> Check:
    """Holds when a and b are equal within `tolerance` beyond noise: the difference
    of their means plus twice its standard error is at most the tolerance. Does not
    hold when the difference minus twice its standard error exceeds it; else within
    seed noise (so with a tolerance of 0 and any spread, equality is never shown)."""

    def judge(a: Stat, b: Stat) -> str | None:
        if not (a.finite and b.finite):  # an infinite mean is about another only
            return None if differ(a, b) == 0 else FAILS
        diff, noise = abs(a.mean - b.mean), 2 * math.sqrt(a.se**2 + b.se**2)
        if diff + noise <= tolerance:
            return HOLDS
        return FAILS if diff - noise > tolerance else None

    return _check(
        text, a, b, fmt, judge, msg(", tolerance {t}", t=fmt(stat(tolerance)))
    )


def _check(text: str, a, b, fmt, judge, more: str = "") -> Check:
    """The check of judge(a, b) (None: within noise); a missing number fails it."""
    a, b = stat(a), stat(b)
    numbers = msg("{a} vs {b}{more}", a=fmt(a), b=fmt(b), more=more)
    if a.missing or b.missing:
        return Check(
            text, FAILS, msg("{numbers}: a number is missing", numbers=numbers)
        )
    return Check(text, judge(a, b) or NOISE, numbers)


@dataclass
class Claim:
    """The slide's sentence and the checks that decide it."""

    sentence: str
    checks: list[Check]
    notes: list[str] = field(default_factory=list)  # one seed, changed flags
    spread: str = "std"  # what a check's ± is: "std" over seeds, or "SE" of the mean

    @property
    def verdict(self) -> str:
        """Does not hold if a check fails; holds if all hold; else within noise."""
        outcomes = {c.outcome for c in self.checks}
        if not outcomes:
            return UNJUDGED
        if FAILS in outcomes:
            return FAILS
        return HOLDS if outcomes == {HOLDS} else NOISE

    def note(self) -> str:
        """' (rests on one seed; …)', or '' without notes; in the language spoken."""
        return f" ({'; '.join(_(n) for n in self.notes)})" if self.notes else ""

    def lines(self) -> list[str]:
        """The claim, a line per check, the verdict: as a lab prints them."""
        mark = {HOLDS: "✓", FAILS: "✗", NOISE: "~"}
        out = [_("claim: {sentence}").format(sentence=_(self.sentence))]
        out += [f"  {mark[c.outcome]} {_(c.text)}: {_(c.numbers)}" for c in self.checks]
        verdict = _("verdict: {verdict}{note}")
        out.append(verdict.format(verdict=_(self.verdict), note=self.note()))
        return out

    def markdown(self, seeds: int) -> str:
        """The claim, the verdict and each check, as RESULTS.md and a notebook show
        them."""
        checks = "\n".join(
            f"- {_(c.text)}: {_(c.numbers)} — *{_(c.outcome)}*" for c in self.checks
        )
        if seeds == 1:
            over = _("over one seed")
        else:
            over = _("over {seeds} seeds (mean ± {spread})")
            over = over.format(seeds=seeds, spread=_(self.spread))
        head = _("**Claim:** {sentence}.\n\n**Verdict: {verdict}**{note}, {over}:")
        head = head.format(
            sentence=_(self.sentence),
            verdict=_(self.verdict),
            note=self.note(),
            over=over,
        )
        return f"{head}\n\n{checks}"

    def to_dict(self) -> dict:
        return {
            "sentence": self.sentence,
            "verdict": self.verdict,
            "checks": [c.__dict__ for c in self.checks],
            "notes": self.notes,
        }


CANNOT_TELL = "the seeds cannot tell"


@dataclass(frozen=True)
class Prediction:
    """The claim's question, asked before the lab runs: the answers offered, which
    one the claim holding implies and which its failing implies. Within seed
    noise implies the last choice, CANNOT_TELL, which every question offers."""

    question: str
    choices: tuple[str, ...]  # in the order a student reads them
    holds: str  # the answer if the claim holds
    fails: str  # the answer if it does not

    def __post_init__(self):
        if self.holds not in self.choices or self.fails not in self.choices:
            raise ValueError(f"{self.question}: holds and fails must be choices")
        if self.holds == self.fails or CANNOT_TELL in self.choices:
            raise ValueError(f"{self.question}: one answer per verdict")

    @property
    def options(self) -> tuple[str, ...]:
        return (*self.choices, CANNOT_TELL)

    @property
    def implies(self) -> dict[str, str]:
        """The answer each verdict implies."""
        return {HOLDS: self.holds, FAILS: self.fails, NOISE: CANNOT_TELL}

    def markdown(self) -> str:
        """The question and its choices, as the notebook asks them."""
        listed = "\n".join(f"- `{_(c)}`" for c in self.options)
        return _("**Predict first.** {question}").format(question=_(self.question)) + (
            f"\n\n{listed}"
        )

    def review(self, answer: str, claim: Claim) -> str:
        """Whether the answer is the one the verdict implies, and why: the checks.
        The answer may be a choice as shown (in the language spoken) or in English."""
        answer = (answer or "").strip()
        english = {_(o): o for o in self.options} | {o: o for o in self.options}
        if answer:
            said = _("Your prediction: '{answer}'.").format(answer=answer)
        else:
            said = _("No prediction was given.")
        if claim.verdict not in self.implies:
            why = _("This run has no verdict ({sentence}).")
            return f"{said} {why.format(sentence=_(claim.sentence))}"
        right = self.implies[claim.verdict]
        if answer and answer not in english:
            said += " " + _("It is not one of the choices.")
        elif answer:
            same = english[answer] == right
            said += " " + (_("It matches.") if same else _("It does not match."))
        why = "\n".join(claim.lines()[1:-1])
        verdict = _("The verdict, {verdict}, answers '{right}'. Why, check by check:")
        verdict = verdict.format(verdict=_(claim.verdict), right=_(right))
        return f"{said} {verdict}\n{why}"
