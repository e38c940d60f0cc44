"""A score's definition, and how a complete or partial result is worked out from it.

A score module supplies its inputs, a `points` function and a `band` function. `points` receives
only the inputs that are known and returns one `Item` per known input; the total of what is known
is their sum (or, for the class scores Killip and NYHA, their maximum).

For the missing inputs the machinery tries every combination of their sample values (see
`inputs.py`), which gives the lowest and highest total they allow. An input whose value cannot
change the total, given what is known, is not reported missing: with age 62, EDACS never scores
known coronary disease, so the doctor is not asked about it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.scores.inputs import Input, check_inputs
from engine.scores.model import Item, Question, ScoreResult

Known = Mapping[str, Any]

# The largest number of combinations of missing inputs a score may ask us to try.
MAX_COMBINATIONS = 50_000


@dataclass(frozen=True)
class Span:
    """What the missing inputs leave open: the total's range and the inputs that matter."""

    lowest: float
    highest: float
    missing: tuple[str, ...]


def add_up(points: Sequence[float]) -> float:
    return sum(points)


# Class scores (Killip, NYHA): each finding points to a class and the worst one counts.
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def highest_class(classes: Sequence[float]) -> float:
    """With no finding known the class is I, the class of a patient without heart failure."""
    return max(classes, default=1)


def roman_band(total: float) -> str:
    return ROMAN[int(total)]


@dataclass(frozen=True)
class Score:
    """One published score, as data plus two functions."""

    name: str
    title: str
    version: str
    citation: str
    inputs: tuple[Input, ...]
    points: Callable[[Known], list[Item]]
    band: Callable[[float], str]
    combine: Callable[[Sequence[float]], float] = add_up
    # Optional inputs that feed `extras` (EDACS-ADP, ADvISED) but never the total.
    extra_inputs: tuple[Input, ...] = ()
    extras: Callable[[Known, Span], dict[str, Any]] | None = None
    extra_keys: tuple[str, ...] = field(default=())

    def accepted(self) -> tuple[Input, ...]:
        return self.inputs + self.extra_inputs

    def total_of(self, values: Known) -> float:
        return self.combine([item.points for item in self.points(values)])


def compute(score: Score, raw: Mapping[str, object]) -> ScoreResult:
    """Check the raw inputs and work out the (possibly partial) result."""
    known = check_inputs(score.name, score.accepted(), raw)
    span = work_out_span(score, known)
    items = score.points(known)

    complete = not span.missing
    # A complete total is the one value the span allows; otherwise count only what is known.
    total = span.lowest if complete else score.combine([item.points for item in items])
    low_band, high_band = score.band(span.lowest), score.band(span.highest)
    by_name = {spec.name: spec for spec in score.inputs}

    return ScoreResult(
        score=score.name,
        version=score.version,
        total=total,
        band=low_band if low_band == high_band else None,
        complete=complete,
        range=(span.lowest, span.highest),
        missing=span.missing,
        items=tuple(items),
        questions=tuple(Question(name, by_name[name].question) for name in span.missing),
        citation=score.citation,
        extras=score.extras(known, span) if score.extras else {},
    )


def work_out_span(score: Score, known: Known) -> Span:
    """Try every combination of sample values for the missing inputs."""
    absent = [spec for spec in score.inputs if spec.name not in known]
    if not absent:
        total = score.total_of(known)
        return Span(total, total, ())

    combinations = list(itertools.product(*(spec.samples for spec in absent)))
    if len(combinations) > MAX_COMBINATIONS:
        raise AssertionError(f"{score.name}: {len(combinations)} combinations to try")
    names = [spec.name for spec in absent]
    totals = [score.total_of({**known, **dict(zip(names, combo, strict=True))})
              for combo in combinations]

    missing = tuple(name for index, name in enumerate(names)
                    if _changes_total(index, combinations, totals))
    return Span(min(totals), max(totals), missing)


def _changes_total(index: int, combinations: list[tuple[Any, ...]], totals: list[float]
                   ) -> bool:
    """Whether the input at `index` moves the total for some values of the other inputs."""
    seen: dict[tuple[Any, ...], float] = {}
    for combo, total in zip(combinations, totals, strict=True):
        others = combo[:index] + combo[index + 1:]
        first = seen.setdefault(others, total)
        if first != total:
            return True
    return False


def yes_no(known: Known, name: str, points: float, basis_yes: str, basis_no: str
           ) -> list[Item]:
    """The item of a yes/no criterion worth `points`, if its input is known."""
    if name not in known:
        return []
    if known[name]:
        return [Item(name, points, basis_yes)]
    return [Item(name, 0, basis_no)]
