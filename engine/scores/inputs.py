"""The kinds of input a score takes, how each is checked, and which values stand for it.

Four kinds cover every score: a yes/no `Flag`, a `Choice` of named values, a `Number` with
physical bounds, and a `Subset` (a list of named items, each at most once). Each input also
carries the Chinese question to ask the doctor when it is missing, and `samples`: one value for
every distinct effect the input can have on its score. The partial-result machinery tries those
samples to find the lowest and highest total a missing input allows, so a score module must list
one sample per bracket it scores differently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.scores.errors import OutOfRange, UnknownChoice, UnknownInput, WrongType


@dataclass(frozen=True)
class Input:
    """What every input has: its key, the question for the doctor, its sample values."""

    name: str
    question: str

    @property
    def samples(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def check(self, score: str, value: object) -> Any:
        """The value in its normal form, or an error that names `score.name`."""
        raise NotImplementedError

    def _field(self, score: str) -> str:
        return f"{score}.{self.name}"


@dataclass(frozen=True)
class Flag(Input):
    """true or false. 0 and 1 are refused: JSON has booleans, and a count is not a flag."""

    @property
    def samples(self) -> tuple[Any, ...]:
        return (False, True)

    def check(self, score: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise WrongType(f"{self._field(score)}: expected true or false, got {_shown(value)}")
        return value


@dataclass(frozen=True)
class Choice(Input):
    """One of a fixed set of text values."""

    options: tuple[str, ...] = ()

    @property
    def samples(self) -> tuple[Any, ...]:
        return self.options

    def check(self, score: str, value: object) -> str:
        if not isinstance(value, str):
            raise WrongType(f"{self._field(score)}: expected one of {_listed(self.options)},"
                            f" got {_shown(value)}")
        if value not in self.options:
            raise UnknownChoice(f"{self._field(score)}: {value!r} is not one of"
                                f" {_listed(self.options)}")
        return value


@dataclass(frozen=True)
class Number(Input):
    """A finite number between `lowest` and `highest` (inclusive); `whole` asks for an integer."""

    lowest: float = 0
    highest: float = math.inf
    unit: str = ""
    whole: bool = False
    sample_values: tuple[float, ...] = ()

    @property
    def samples(self) -> tuple[Any, ...]:
        return self.sample_values

    def check(self, score: str, value: object) -> float:
        field = self._field(score)
        # bool is a subclass of int in Python; true is not a number here.
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "a whole number" if self.whole else "a number"
            raise WrongType(f"{field}: expected {kind}{self._in_unit()}, got {_shown(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise OutOfRange(f"{field}: {value} is not a finite number")
        if self.whole and not float(value).is_integer():
            raise WrongType(f"{field}: expected a whole number, got {value}")
        if not self.lowest <= value <= self.highest:
            raise OutOfRange(f"{field}: {_shown(value)} is outside {_number(self.lowest)}"
                             f"-{_number(self.highest)}{self._in_unit()}")
        return int(value) if self.whole else value

    def _in_unit(self) -> str:
        return f" ({self.unit})" if self.unit else ""


@dataclass(frozen=True)
class Subset(Input):
    """A JSON list of distinct items from `options`; the empty list means none of them."""

    options: tuple[str, ...] = ()

    @property
    def samples(self) -> tuple[Any, ...]:
        # Every subset score is monotone in its items: none and all bound the total.
        return (frozenset(), frozenset(self.options))

    def check(self, score: str, value: object) -> frozenset[str]:
        field = self._field(score)
        if not isinstance(value, list):
            raise WrongType(f"{field}: expected a list drawn from {_listed(self.options)},"
                            f" got {_shown(value)}")
        seen: set[str] = set()
        for item in value:
            if not isinstance(item, str):
                raise WrongType(f"{field}: list items must be text, got {_shown(item)}")
            if item not in self.options:
                raise UnknownChoice(f"{field}: {item!r} is not one of {_listed(self.options)}")
            if item in seen:
                raise UnknownChoice(f"{field}: {item!r} is listed twice")
            seen.add(item)
        return frozenset(seen)


def check_inputs(score: str, specs: tuple[Input, ...], raw: Mapping[str, object]
                 ) -> dict[str, Any]:
    """The known inputs in normal form. A key whose value is null counts as not given."""
    by_name = {spec.name: spec for spec in specs}
    known: dict[str, Any] = {}
    for key, value in raw.items():
        spec = by_name.get(key) if isinstance(key, str) else None
        if spec is None:
            raise UnknownInput(f"{score}.{key}: not an input of {score}; it takes"
                               f" {_listed(tuple(by_name))}")
        if value is not None:
            known[key] = spec.check(score, value)
    return known


def completed_years(age: float) -> int:
    """Age brackets count completed years: 45.9 years is still in the 18-45 bracket."""
    return math.floor(age)


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else _json_name(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _json_name(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
        return "a number too large to be real"  # and repr() may refuse over 4300 digits
    # Speak JSON to the caller: true/false/null, not True/False/None.
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _listed(options: tuple[str, ...]) -> str:
    return ", ".join(options)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
