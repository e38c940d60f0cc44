"""Errors of the scores package: every one of them is about what the caller passed in.

    engine.errors.BadInput (exit 2)
    └── ScoreInputError          any wrong input to a score or to the troponin algorithm
        ├── UnknownScore         no score of that name
        ├── UnknownInput         a key the score does not take
        ├── WrongType            e.g. a number where true/false is expected, or 1 for true
        ├── OutOfRange           e.g. SpO2 over 100, a negative heart rate, age over 130
        ├── UnknownChoice        a value outside the input's listed choices
        └── TroponinInputError   unknown assay or protocol, a draw in the future, a bad time

Each message starts with the field it is about (`heart.age: ...`) so a one-line error on the
command line tells the doctor or the integrator what to fix.
"""

from __future__ import annotations

from engine.errors import BadInput


class ScoreInputError(BadInput):
    """Base of every error the scores package raises."""


class UnknownScore(ScoreInputError):
    """The score name is not one of `engine.scores.names()`."""


class UnknownInput(ScoreInputError):
    """The inputs hold a key the score does not take."""


class WrongType(ScoreInputError):
    """An input has the wrong JSON type."""


class OutOfRange(ScoreInputError):
    """A number lies outside what the input can physically be."""


class UnknownChoice(ScoreInputError):
    """A text value (or a list member) is not one of the input's choices."""


class TroponinInputError(ScoreInputError):
    """The assay, the protocol, a draw or a time given to the troponin algorithm is wrong."""
