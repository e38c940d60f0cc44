"""Recognition off the GUI thread: a QObject living on its own QThread.

The controller talks to it only by queued signals. It loads the model (2 s), then runs one
recogniser per dictation: audio in, partial and cleaned final text out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from engine.errors import EngineError
from engine.speech.cleanup import Cleaned
from engine.speech.errors import ModelError, WordListError
from engine.speech.recognizer import Final, Partial, StreamingRecognizer
from engine.speech.session import Dictation, load_dictation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DictationText:
    """A final: `latest` is the new utterance alone, `whole` every utterance of this dictation
    cleaned together, so a reading split by a pause (血压一百六十 / 九十五) still reads 160/95."""

    whole: Cleaned
    latest: Cleaned


@dataclass(frozen=True)
class Loaded:
    """What the worker loaded, for the status line."""

    model: str
    kind: str
    word_list: str   # the word-list check's report, or a word-list error, or ""


class RecognitionWorker(QObject):
    loaded = Signal(object)      # Loaded
    unavailable = Signal(str)    # the model cannot be used: the exact reason
    partial = Signal(str)
    final = Signal(object)       # DictationText
    failed = Signal(str)         # recognition broke during a dictation
    ended = Signal()             # a dictation's last final has been sent

    def __init__(self) -> None:
        super().__init__()
        self._dictation: Dictation | None = None
        self._recognizer: StreamingRecognizer | None = None
        self._said: list[str] = []  # this dictation's finals as Vosk wrote them

    @Slot(str, str)
    def load(self, model_dir: str, words_file: str) -> None:
        note = ""
        try:
            try:
                dictation = load_dictation(model_dir, words_file)
            except WordListError as exc:
                # A bad word list must not cost the doctor dictation: go on without it.
                note = str(exc)
                dictation = load_dictation(model_dir, "")
        except ModelError as exc:
            self.unavailable.emit(str(exc))
            return
        except EngineError as exc:
            self.unavailable.emit(str(exc))
            return
        self._dictation = dictation
        info = dictation.model.info
        report = dictation.words.report() if dictation.words is not None else note
        self.loaded.emit(Loaded(info.folder.name, info.kind, report))

    @Slot(int)
    def begin(self, rate: int) -> None:
        if self._dictation is None:
            self.failed.emit("语音模型尚未加载")
            return
        self._recognizer = self._dictation.recognizer(rate)
        self._said = []

    @Slot(bytes)
    def feed(self, pcm: bytes) -> None:
        if self._recognizer is None:
            return
        try:
            self._report(self._recognizer.accept(pcm))
        except EngineError as exc:
            log.warning("recognition failed: %s", exc)
            self._recognizer = None
            self.failed.emit(str(exc))

    @Slot()
    def end(self) -> None:
        recognizer, self._recognizer = self._recognizer, None
        if recognizer is not None:
            try:
                self._report(recognizer.finish())
            except EngineError as exc:
                self.failed.emit(str(exc))
        self.ended.emit()

    def _report(self, events: list[Partial | Final]) -> None:
        assert self._dictation is not None
        for event in events:
            if isinstance(event, Partial):
                self.partial.emit(event.text)
            else:
                self._said.append(event.text)
                whole = self._dictation.clean(" ".join(self._said))
                self.final.emit(DictationText(whole, self._dictation.clean(event.text)))
