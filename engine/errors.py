"""The engine's exception tree.

Every error the engine raises derives from `EngineError`. Each class carries the exit code the
`sentinel` command uses for it, so the command line can map any error without a lookup table:

    EngineError (1: our bug or an unexpected state)
    ├── BadInput (2: what the user gave is wrong; the message says how to fix it)
    └── BoxUnavailable (3: the inference box was needed and could not be reached)

Sub-packages (client, scores, findings...) derive their own errors from these.
"""


class EngineError(Exception):
    """Base of every error raised by the engine."""

    exit_code = 1


class BadInput(EngineError):
    """The input (text, JSON, option, file) is wrong; the message names what and how to fix it."""

    exit_code = 2


class BoxUnavailable(EngineError):
    """The inference box was needed and could not be reached or refused to work."""

    exit_code = 3
