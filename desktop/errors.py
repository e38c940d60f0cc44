"""The desktop panel's exception tree.

    DesktopError (an EngineError: exit 1)
    ├── HandoverRefused (a BadInput: exit 2) the HIS hand-over JSON is malformed; nothing changed
    └── PanelNotRunning (exit 4)             `sentinel open` found no panel of this user to talk to

Failures of the environment (box down, journal disk full, no microphone) are not raised into the
GUI: they arrive as signals and are shown as a sentence in the panel.
"""

from __future__ import annotations

from engine.errors import BadInput, EngineError


class DesktopError(EngineError):
    """Base of every error raised by the desktop package."""


class HandoverRefused(DesktopError, BadInput):
    """The hand-over from the HIS is not the documented JSON object; the message says where."""

    exit_code = 2


class PanelNotRunning(DesktopError):
    """No panel of this user listens on the local channel."""

    exit_code = 4
