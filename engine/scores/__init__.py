"""Published clinical risk scores and the ESC hs-troponin algorithms, as pure functions.

The doctor must be able to trust these numbers, so they come from code that follows each
published definition (cited in its module), never from the language model. Nothing here does
I/O or imports anything of ours beyond `engine.errors`.

    compute("heart", {"history": "moderate", "age": 52, ...}) -> ScoreResult
    names() -> ["heart", "edacs", ...]
    input_names("heart") -> ["history", "ecg", "age", ...]

A missing input is not an error: the result is partial, with the range of totals the missing
inputs allow, a band only if that whole range falls in one band, and a question in Chinese for
each missing input that could still change the total. A key given as null counts as missing.
Wrong inputs raise `ScoreInputError` (a `BadInput`) whose message starts with the field.
The troponin algorithms live in `engine.scores.troponin`.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.scores import registry, troponin
from engine.scores.base import compute as _compute
from engine.scores.errors import (
    OutOfRange,
    ScoreInputError,
    TroponinInputError,
    UnknownChoice,
    UnknownInput,
    UnknownScore,
    WrongType,
)
from engine.scores.model import Item, Question, ScoreResult

__all__ = [
    "Item",
    "OutOfRange",
    "Question",
    "ScoreInputError",
    "ScoreResult",
    "TroponinInputError",
    "UnknownChoice",
    "UnknownInput",
    "UnknownScore",
    "WrongType",
    "citation",
    "compute",
    "input_names",
    "names",
    "title",
    "troponin",
    "version",
]


def compute(name: str, inputs: Mapping[str, object]) -> ScoreResult:
    """The score `name` worked out from `inputs` (a JSON object's worth of values)."""
    score = registry.get(name)
    if not isinstance(inputs, Mapping):
        raise WrongType(f"{name}: inputs must be a JSON object, got {type(inputs).__name__}")
    return _compute(score, inputs)


def names() -> list[str]:
    """Every score's name, in the panel's order."""
    return list(registry.SCORES)


def input_names(name: str) -> list[str]:
    """Every input key the score accepts, including optional extras such as D-dimer."""
    return [spec.name for spec in registry.get(name).accepted()]


def citation(name: str) -> str:
    return registry.get(name).citation


def title(name: str) -> str:
    """The score's name as the Chinese panel shows it."""
    return registry.get(name).title


def version(name: str) -> str:
    return registry.get(name).version
