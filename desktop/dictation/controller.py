"""The dictation controller: microphone, recognition worker and state, on the GUI thread.

    controller = DictationController()
    controller.final.connect(insert_text)       # worker.DictationText
    controller.load()                           # model and word list from the settings
    controller.start() / controller.stop()      # or toggle(); start waits for the model

States: "loading" -> "ready" (or "unavailable", with the exact reason) -> "listening" ->
"stopping" (the last final is on its way) -> "ready". Recognition runs on the worker's thread;
everything here only forwards audio and signals. If the microphone disappears mid-dictation
the words recognised so far are finished and delivered, and the error says the text was kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from desktop.dictation.capture import CaptureError, MicrophoneCapture
from desktop.dictation.worker import Loaded, RecognitionWorker
from engine.settings import Settings

log = logging.getLogger(__name__)

LOADING, UNAVAILABLE, READY, LISTENING, STOPPING = (
    "loading", "unavailable", "ready", "listening", "stopping")
KEPT = "，已识别的文字已保留"


# Makes the capture for a dictation from the `microphone` setting (tests inject faults here).
CaptureFactory = Callable[[str, QObject], MicrophoneCapture]


def _microphone(setting: str, parent: QObject) -> MicrophoneCapture:
    return MicrophoneCapture(setting, parent)


class DictationController(QObject):
    partial = Signal(str)
    final = Signal(object)           # DictationText: this utterance, and the dictation so far
    error = Signal(str)
    notice = Signal(str)             # status news that is not an error
    state_changed = Signal(str)
    level = Signal(float)            # dBFS

    # To the worker (queued across threads).
    _load = Signal(str, str)
    _begin = Signal(int)
    _feed = Signal(bytes)
    _end = Signal()

    def __init__(self, parent: QObject | None = None, *, settings: Settings | None = None,
                 capture: CaptureFactory = _microphone) -> None:
        super().__init__(parent)
        self._settings = settings
        self._make_capture = capture
        self._capture: MicrophoneCapture | None = None
        self.state = LOADING
        self.unavailable_reason = ""
        self.loaded: Loaded | None = None
        self._feeding_rate: int | None = None

        self._thread = QThread(self)
        self._thread.setObjectName("dictation-recognition")
        self._worker = RecognitionWorker()
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._load.connect(self._worker.load)
        self._begin.connect(self._worker.begin)
        self._feed.connect(self._worker.feed)
        self._end.connect(self._worker.end)
        self._worker.loaded.connect(self._on_loaded)
        self._worker.unavailable.connect(self._on_unavailable)
        self._worker.partial.connect(self.partial)
        self._worker.final.connect(self.final)
        self._worker.failed.connect(self._on_failed)
        self._worker.ended.connect(self._on_ended)
        self._thread.start()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # a running QThread must never be destroyed

    # -- commands ------------------------------------------------------------------------

    def load(self) -> None:
        """(Re)load the model and word list named in the settings, on the worker."""
        settings = self._settings or Settings.load()
        self._set_state(LOADING)
        self._load.emit(str(settings.get("vosk_model_dir")),
                        str(settings.get("vosk_words_file")))

    @property
    def available(self) -> bool:
        return self.state not in (LOADING, UNAVAILABLE)

    @property
    def listening(self) -> bool:
        return self.state == LISTENING

    def start(self) -> bool:
        """Open the microphone and dictate; False (and `error`) when that cannot happen."""
        if self.state != READY:
            if self.state == UNAVAILABLE:
                self.error.emit(self.unavailable_reason)
            return False
        settings = self._settings or Settings.load()
        capture = self._make_capture(str(settings.get("microphone")), self)
        capture.audio.connect(self._on_audio)
        capture.level.connect(self.level)
        capture.lost.connect(self._on_lost)
        capture.notice.connect(self.notice)
        try:
            capture.start()
        except CaptureError as exc:
            capture.deleteLater()
            self.error.emit(str(exc))
            return False
        self._capture = capture
        self._begin.emit(capture.rate)
        self._set_state(LISTENING)
        return True

    def stop(self) -> None:
        """Stop listening; the last words still arrive as a final."""
        if self.state != LISTENING:
            return
        self._close_capture()
        self._finish()

    def toggle(self) -> None:
        if self.listening:
            self.stop()
        else:
            self.start()

    def feed(self, pcm: bytes, rate: int) -> None:
        """Dictate from audio that comes from elsewhere (a recording): 16-bit mono at `rate`.
        Call `finish_feeding` after the last block."""
        if self.state not in (READY, LISTENING) or self._capture is not None:
            return
        if self._feeding_rate is None:
            self._feeding_rate = rate
            self._begin.emit(rate)
            self._set_state(LISTENING)
        self._feed.emit(pcm)

    def finish_feeding(self) -> None:
        if self._feeding_rate is not None:
            self._feeding_rate = None
            self._finish()

    def shutdown(self) -> None:
        """Stop everything and wait for the worker thread (call before the app quits)."""
        self._close_capture()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    # -- from the capture and the worker ---------------------------------------------------

    @Slot(bytes)
    def _on_audio(self, pcm: bytes) -> None:
        if self.state == LISTENING:
            self._feed.emit(pcm)

    @Slot(str)
    def _on_lost(self, reason: str) -> None:
        if self.state != LISTENING:
            return
        self._close_capture()  # it stopped itself; let it go
        self._finish()
        self.error.emit(reason + KEPT)

    @Slot(object)
    def _on_loaded(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.unavailable_reason = ""
        self._set_state(READY)
        if loaded.word_list:
            self.notice.emit(loaded.word_list)

    @Slot(str)
    def _on_unavailable(self, reason: str) -> None:
        log.warning("dictation unavailable: %s", reason)
        self.unavailable_reason = reason
        self._set_state(UNAVAILABLE)

    @Slot(str)
    def _on_failed(self, reason: str) -> None:
        self._close_capture()
        self.error.emit(reason)
        if self.state in (LISTENING, STOPPING):
            self._finish()

    @Slot()
    def _on_ended(self) -> None:
        if self.state == STOPPING:
            self._set_state(READY)

    def _finish(self) -> None:
        self._set_state(STOPPING)
        self._end.emit()

    def _close_capture(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.stop()  # emits what it still holds, while the state is still LISTENING
            capture.lost.disconnect(self._on_lost)
            capture.deleteLater()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
