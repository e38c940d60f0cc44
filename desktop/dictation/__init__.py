"""Dictation in the panel: microphone capture, recognition off the GUI thread, the widget.

- capture: `MicrophoneCapture` (Qt Multimedia, the device from the `microphone` setting).
- worker: `RecognitionWorker`, on its own QThread, runs engine.speech.
- controller: `DictationController`, states and signals (partial, final, error).
- hotkey: `Hotkey`, press and release of one key anywhere in the app (push-to-talk).
- widget: `DictationWidget`, the button, mode, level meter, live words and status.

Errors (environment failures reach the GUI as signals, never as exceptions):

    DictationError (desktop.errors.DesktopError)
    └── CaptureError: no microphone, or the chosen one cannot be opened
"""

from desktop.dictation.capture import CaptureError, DictationError, MicrophoneCapture
from desktop.dictation.controller import DictationController
from desktop.dictation.hotkey import Hotkey
from desktop.dictation.widget import PUSH_TO_TALK, TOGGLE, DictationWidget, LevelMeter

__all__ = [
    "PUSH_TO_TALK",
    "TOGGLE",
    "CaptureError",
    "DictationController",
    "DictationError",
    "DictationWidget",
    "Hotkey",
    "LevelMeter",
    "MicrophoneCapture",
]
