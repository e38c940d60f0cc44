"""Dictation on the workstation with Vosk: no audio leaves the machine.

Parts, each usable alone:
- model: find IT's model folder, check it file by file, load it (`SpeechModel`).
- audio, resample: read any PCM WAV; convert any rate to the model's (16 kHz).
- endpoint: the pause detector that closes an utterance when the doctor pauses.
- recognizer: `StreamingRecognizer`, audio in, `Partial` and `Final` events out.
- words: department word lists, checked against the model's vocabulary.
- cleanup, numbers: Vosk's spaced words into doctor-style text (joined, digits).
- pinyin_fix: misheard medical terms corrected by pronunciation, undoable.
- session: `load_dictation` puts them together from the settings.

No Qt here: the desktop's capture and widget live in desktop/dictation. Errors are drawn in
engine/speech/errors.py; all derive from `SpeechError`.
"""

from engine.speech.cleanup import Cleaned, Edit, clean_dictation, clean_text
from engine.speech.endpoint import EndpointConfig
from engine.speech.errors import (
    AudioError,
    ModelDamaged,
    ModelError,
    ModelIncomplete,
    ModelMissing,
    ModelNotConfigured,
    NotAVoskModel,
    RecognizerError,
    SpeechError,
    WordListError,
)
from engine.speech.model import ModelInfo, SpeechModel, check_model_folder, find_model_folder
from engine.speech.recognizer import Final, Partial, StreamingRecognizer
from engine.speech.session import Dictation, load_dictation

__all__ = [
    "AudioError",
    "Cleaned",
    "Dictation",
    "Edit",
    "EndpointConfig",
    "Final",
    "ModelDamaged",
    "ModelError",
    "ModelIncomplete",
    "ModelInfo",
    "ModelMissing",
    "ModelNotConfigured",
    "NotAVoskModel",
    "Partial",
    "RecognizerError",
    "SpeechError",
    "SpeechModel",
    "StreamingRecognizer",
    "WordListError",
    "check_model_folder",
    "clean_dictation",
    "clean_text",
    "find_model_folder",
    "load_dictation",
]
