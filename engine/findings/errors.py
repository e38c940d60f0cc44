"""Errors of the findings package.

    FindingsError (engine.errors.EngineError, exit 1)
    ├── VocabularyError      the vocabulary or red-flag data file is malformed (our bug)
    └── InvalidFindingsInput (also engine.errors.BadInput, exit 2)
        ├── InvalidText      the text is not text, or is too long
        ├── InvalidVitals    a triage vital sign is unknown, of the wrong type or out of range
        └── UnknownTemplateId  no public or personal template has that id
"""

from __future__ import annotations

from engine.errors import BadInput, EngineError


class FindingsError(EngineError):
    """Base of every error raised by the findings package."""


class VocabularyError(FindingsError):
    """A data file of the package breaks its format; the message names the file and entry."""


class InvalidFindingsInput(FindingsError, BadInput):
    """What the caller gave cannot be assessed; the message says what and how to fix it."""

    exit_code = 2


class InvalidText(InvalidFindingsInput):
    """The text is not a string or is longer than the limit."""


class InvalidVitals(InvalidFindingsInput):
    """A triage vital sign is unknown, not a number, or outside the plausible range."""


class UnknownTemplateId(InvalidFindingsInput):
    """No template has that id."""
