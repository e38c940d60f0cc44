"""Errors of the speech package.

    SpeechError (EngineError)
    ├── ModelError (BadInput): the Vosk model cannot be used; `problems` lists what is wrong
    │   ├── ModelNotConfigured: no folder is set and none was found
    │   ├── ModelMissing: the folder named does not exist or is not a folder
    │   ├── NotAVoskModel: the folder holds something else (an archive, a speaker model...)
    │   ├── ModelIncomplete: required files are missing
    │   └── ModelDamaged: files are there but empty, pointers, or unreadable by Vosk
    ├── AudioError (BadInput): a WAV file or audio buffer cannot be read or is not audio
    ├── WordListError (BadInput): the department word list file is unreadable or empty
    └── RecognizerError: Vosk refused audio it was given (an internal failure)

Every message says what is wrong and how to fix it; dictation shows it and stays off while
typing goes on.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import BadInput, EngineError


class SpeechError(EngineError):
    """Base of every error raised by the speech package."""


class ModelError(SpeechError, BadInput):
    """The Vosk model cannot be used for dictation."""

    def __init__(self, message: str, folder: Path | None = None,
                 problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.folder = folder
        self.problems = problems


class ModelNotConfigured(ModelError):
    """No model folder is set and none was found in the usual places."""


class ModelMissing(ModelError):
    """The folder named in the settings does not exist or is not a folder."""


class NotAVoskModel(ModelError):
    """The folder exists but holds something other than a Vosk recognition model."""


class ModelIncomplete(ModelError):
    """Files the model needs are missing (a partial copy from the share)."""


class ModelDamaged(ModelError):
    """Files are present but empty, Git LFS pointers, or rejected by Vosk."""


class AudioError(SpeechError, BadInput):
    """Audio that cannot be decoded: not WAV, truncated, an unsupported encoding, empty."""


class WordListError(SpeechError, BadInput):
    """The department word list cannot be read or holds no words."""


class RecognizerError(SpeechError):
    """Vosk failed on audio it was given."""
