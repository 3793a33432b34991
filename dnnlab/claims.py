"""A lab's lesson as a claim: checks over the seeds' numbers, one rule for noise.

The rule, written once: two means differ when their difference exceeds twice its
standard error, √(s₁²/n₁ + s₂²/n₂); otherwise the check is *within seed noise*.
With one seed, or zero spread, the standard error is 0 and the values decide (the
verdict then says it rests on one seed). A non-finite value — a diverged run's
loss, a target never reached — counts as +∞: an infinite mean differs from every
finite one, and two infinite means are within noise. Imports no TensorFlow.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

HOLDS, FAILS, NOISE = "holds", "does not hold", "within seed noise"
UNJUDGED = "not judged"


@dataclass(frozen=True)
class Stat:
    """One number over seeds."""

    values: tuple[float, ...]

    def __post_init__(self):
        clean = tuple(float(v) if math.isfinite(v) else math.inf for v in self.values)
        object.__setattr__(self, "values", clean)

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def finite(self) -> bool:
        return all(math.isfinite(v) for v in self.values)

    @property
    def mean(self) -> float:
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
        infinite values."""
        if not self.finite:
            count = sum(not math.isfinite(v) for v in self.values)
            return inf if count == self.n else f"{inf} in {count} of {self.n}"
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
    """+1 when a's mean is above b's beyond noise, −1 when below, 0 within noise."""
    a, b = stat(a), stat(b)
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
    outcome = {1: HOLDS, -1: FAILS, 0: NOISE}[differ(a, b)]
    return Check(text, outcome, f"{fmt(stat(a))} vs {fmt(stat(b))}")


def below(text: str, a, b, fmt: Callable[[Stat], str] = pct) -> Check:
    """Holds when a's mean is below b's beyond noise."""
    outcome = {-1: HOLDS, 1: FAILS, 0: NOISE}[differ(a, b)]
    return Check(text, outcome, f"{fmt(stat(a))} vs {fmt(stat(b))}")


@dataclass
class Claim:
    """The slide's sentence and the checks that decide it."""

    sentence: str
    checks: list[Check]
    notes: list[str] = field(default_factory=list)  # one seed, changed flags

    @property
    def verdict(self) -> str:
        """Does not hold if a check fails; holds if all hold; else within noise."""
        outcomes = {c.outcome for c in self.checks}
        if not outcomes:
            return UNJUDGED
        if FAILS in outcomes:
            return FAILS
        return HOLDS if outcomes == {HOLDS} else NOISE

    def lines(self) -> list[str]:
        mark = {HOLDS: "✓", FAILS: "✗", NOISE: "~"}
        out = [f"claim: {self.sentence}"]
        out += [f"  {mark[c.outcome]} {c.text}: {c.numbers}" for c in self.checks]
        note = f" ({'; '.join(self.notes)})" if self.notes else ""
        out.append(f"verdict: {self.verdict}{note}")
        return out

    def to_dict(self) -> dict:
        return {
            "sentence": self.sentence,
            "verdict": self.verdict,
            "checks": [c.__dict__ for c in self.checks],
            "notes": self.notes,
        }
