"""The dictation widget in real Qt (offscreen) with the real Korean Vosk model.

Audio reaches the recogniser here through `DictationController.feed` (dictation from a
recording) or through `RecordingMicrophone`, a MicrophoneCapture that plays a WAV file instead
of opening a device, used to script push-to-talk and to inject the fault of a microphone that
disappears mid-dictation. The real device path (Qt Multimedia on a PulseAudio virtual
microphone) is tested in test_dictation_capture.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from desktop.dictation.capture import MicrophoneCapture
from desktop.dictation.controller import LISTENING, READY, UNAVAILABLE, DictationController
from desktop.dictation.hotkey import Hotkey
from desktop.dictation.widget import PUSH_TO_TALK, TOGGLE, DictationWidget
from desktop.dictation.worker import DictationText
from engine.settings import Settings
from engine.speech.audio import read_wav
from engine.speech.cleanup import clean_dictation
from engine.speech.pinyin_fix import TermCorrector, shipped_terms
from tests.speech import voices

pytestmark = pytest.mark.gui
LOAD_MS = 30_000
CHUNK_S = 0.05


class RecordingMicrophone(MicrophoneCapture):
    """Plays a WAV file as if a microphone heard it, a block every few milliseconds."""

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__("", parent)
        audio = read_wav(path)
        self.rate = audio.rate
        step = round(CHUNK_S * audio.rate)
        self._blocks = [audio.samples[i:i + step] for i in range(0, len(audio.samples), step)]
        self._timer = QTimer(self)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._next)
        self.running = False

    def start(self) -> None:
        self.running = True
        self._timer.start()

    def stop(self) -> None:
        self.running = False
        self._timer.stop()

    def disappear(self) -> None:
        """The fault: the device goes away, as MicrophoneCapture reports it."""
        self._lose("麦克风已断开")

    def _next(self) -> None:
        if not self._blocks:
            self._timer.stop()
            return
        block = self._blocks.pop(0)
        self.level.emit(-20.0 if abs(block).max(initial=0) > 200 else -90.0)
        self.audio.emit(block.astype("<i2").tobytes())


@pytest.fixture
def ward_words(tmp_path: Path) -> Path:
    path = tmp_path / "ward.txt"
    path.write_text("\n".join(voices.WORDS) + "\n", "utf-8")
    return path


@pytest.fixture
def settings(sentinel_home: Path, ward_words: Path) -> Settings:
    settings = Settings.load()
    settings.set_user("vosk_model_dir", str(voices.model_folder()))
    settings.set_user("vosk_words_file", str(ward_words))
    return settings


@pytest.fixture
def make_widget(qtbot: Any, qt_guard: Any) -> Iterator[Any]:
    made: list[DictationWidget] = []

    def build(**options: Any) -> DictationWidget:
        widget = DictationWidget(**options)
        qtbot.addWidget(widget)
        made.append(widget)
        return widget

    yield build
    for widget in made:
        widget.shutdown()


def _ready(qtbot: Any, widget: DictationWidget) -> None:
    if widget.controller.state != READY:
        with qtbot.waitSignal(widget.controller.state_changed, timeout=LOAD_MS,
                              check_params_cb=lambda state: state in (READY, UNAVAILABLE)):
            pass
    assert widget.controller.state == READY, widget.controller.unavailable_reason


def _auto_repeat(widget: Any, key: Qt.Key) -> None:
    for kind in (QEvent.Type.KeyRelease, QEvent.Type.KeyPress):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier,
                                                 "", True))


def _feed_file(controller: DictationController, path: Path) -> None:
    audio = read_wav(path)
    step = round(CHUNK_S * audio.rate)
    for start in range(0, len(audio.samples), step):
        controller.feed(audio.samples[start:start + step].astype("<i2").tobytes(), audio.rate)
    controller.finish_feeding()


# -- the model missing: dictation off, typing on ------------------------------------------


@pytest.mark.parametrize("problem", ["missing", "incomplete", "not_set"])
def test_without_a_usable_model_dictation_is_off_and_typing_works(
        qtbot: Any, make_widget: Any, sentinel_home: Path, tmp_path: Path,
        problem: str) -> None:
    settings = Settings.load()
    if problem == "missing":
        folder = tmp_path / "vosk-model-small-cn-0.22"
        settings.set_user("vosk_model_dir", str(folder))
        expected = f"Vosk model folder {folder} does not exist"
    elif problem == "incomplete":
        folder = tmp_path / "copy"
        (folder / "am").mkdir(parents=True)
        os.symlink(voices.model_folder() / "am" / "final.mdl", folder / "am" / "final.mdl")
        settings.set_user("vosk_model_dir", str(folder))
        expected = f"Vosk model in {folder} is incomplete: missing conf/model.conf"
    else:
        expected = "no Vosk model is set: put the folder IT delivered"

    widget = make_widget()
    with qtbot.waitSignal(widget.controller.state_changed, timeout=LOAD_MS,
                          check_params_cb=lambda state: state == UNAVAILABLE):
        pass

    assert not widget.mic_button.isEnabled()
    assert expected in widget.status_label.text()
    assert widget.status_label.text().startswith("语音输入不可用，可继续打字：")
    assert expected in widget.mic_button.toolTip()

    widget.text.setFocus()
    qtbot.keyClicks(widget.text, "chest pain 3h")
    widget.text.appendPlainText("持续胸痛3小时")  # Chinese through the API: keyClicks aborts
    assert widget.text.toPlainText() == "chest pain 3h\n持续胸痛3小时"
    assert widget.text.isEnabled()

    qtbot.keyClick(widget.text, Qt.Key.Key_F9)  # the hotkey does nothing harmful
    assert widget.controller.state == UNAVAILABLE
    assert expected in widget.status_label.text()


# -- recognition into the text box --------------------------------------------------------


@pytest.mark.slow
@pytest.mark.speech
def test_partials_show_live_and_finals_land_in_the_text(qtbot: Any, make_widget: Any,
                                                        settings: Settings,
                                                        tmp_path: Path) -> None:
    said = [voices.SENTENCES[0], voices.SENTENCES[3]]
    recording = voices.utterances(said, tmp_path / "two.wav", rate=44100, pause_s=1.2)
    widget = make_widget()
    _ready(qtbot, widget)
    partials: list[str] = []
    widget.controller.partial.connect(partials.append)
    finals: list[str] = []
    widget.text_final.connect(finals.append)

    with qtbot.waitSignal(widget.controller.state_changed, timeout=LOAD_MS,
                          check_params_cb=lambda state: state == READY):
        _feed_file(widget.controller, recording)

    assert finals == said
    assert widget.text.toPlainText() == " ".join(said)  # Korean words keep their space
    assert partials and partials[0].split()[0] == said[0].split()[0]
    assert widget.partial_label.text() == ""  # cleared once the final is in


@pytest.mark.slow
@pytest.mark.speech
def test_finals_go_into_the_panel_s_own_text_box_at_the_cursor(qtbot: Any, make_widget: Any,
                                                               settings: Settings,
                                                               tmp_path: Path) -> None:
    box = QPlainTextEdit()
    qtbot.addWidget(box)
    box.setPlainText("typed first")
    widget = make_widget(target=box)
    _ready(qtbot, widget)
    cursor = box.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    box.setTextCursor(cursor)

    with qtbot.waitSignal(widget.text_final, timeout=LOAD_MS):
        _feed_file(widget.controller,
                   voices.synthesize(voices.SENTENCES[2], tmp_path / "one.wav"))

    assert box.toPlainText() == f"typed first {voices.SENTENCES[2]}"
    assert not widget.owns_text


# -- modes, hotkey, meter ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.speech
def test_push_to_talk_with_the_hotkey(qtbot: Any, make_widget: Any, settings: Settings,
                                      tmp_path: Path) -> None:
    recording = voices.synthesize(voices.SENTENCES[4], tmp_path / "ptt.wav", tail_s=0.2)
    microphones: list[RecordingMicrophone] = []

    def microphone(_setting: str, parent: QObject) -> MicrophoneCapture:
        microphones.append(RecordingMicrophone(recording, parent))
        return microphones[-1]

    widget = make_widget(controller=DictationController(capture=microphone),
                         mode=PUSH_TO_TALK)
    _ready(qtbot, widget)
    shown: list[float] = []
    widget.controller.level.connect(lambda _: shown.append(widget.level_meter.fraction))

    qtbot.keyPress(widget.text, Qt.Key.Key_F9)
    assert widget.controller.state == LISTENING
    _auto_repeat(widget.text, Qt.Key.Key_F9)  # the key held down: nothing new starts
    qtbot.waitUntil(lambda: not microphones[0]._blocks, timeout=LOAD_MS)
    assert widget.controller.state == LISTENING

    with qtbot.waitSignal(widget.text_final, timeout=LOAD_MS):
        qtbot.keyRelease(widget.text, Qt.Key.Key_F9)

    assert widget.text.toPlainText() == voices.SENTENCES[4]
    assert min(shown) == 0.0 and max(shown) > 0.5  # the meter followed voice and silence
    assert len(microphones) == 1
    qtbot.waitUntil(lambda: widget.controller.state == READY, timeout=LOAD_MS)
    assert widget.level_meter.fraction == 0.0
    assert not microphones[0].running


@pytest.mark.slow
@pytest.mark.speech
def test_toggle_mode_starts_and_stops_with_the_button(qtbot: Any, make_widget: Any,
                                                      settings: Settings,
                                                      tmp_path: Path) -> None:
    recording = voices.synthesize(voices.SENTENCES[5], tmp_path / "toggle.wav")

    def microphone(_setting: str, parent: QObject) -> MicrophoneCapture:
        return RecordingMicrophone(recording, parent)

    widget = make_widget(controller=DictationController(capture=microphone), mode=TOGGLE)
    _ready(qtbot, widget)

    with qtbot.waitSignal(widget.text_final, timeout=LOAD_MS):
        qtbot.mouseClick(widget.mic_button, Qt.MouseButton.LeftButton)
        assert widget.mic_button.isChecked()
    assert widget.controller.state == LISTENING  # a final at a pause does not stop listening

    qtbot.mouseClick(widget.mic_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.controller.state == READY, timeout=LOAD_MS)
    assert not widget.mic_button.isChecked()
    assert widget.text.toPlainText() == voices.SENTENCES[5]


@pytest.mark.slow
@pytest.mark.speech
def test_a_microphone_that_disappears_keeps_the_words_heard(qtbot: Any, make_widget: Any,
                                                            settings: Settings,
                                                            tmp_path: Path) -> None:
    sentence = voices.SENTENCES[6]
    recording = voices.synthesize(sentence, tmp_path / "lost.wav", tail_s=0.0)
    microphones: list[RecordingMicrophone] = []

    def microphone(_setting: str, parent: QObject) -> MicrophoneCapture:
        microphones.append(RecordingMicrophone(recording, parent))
        return microphones[-1]

    widget = make_widget(controller=DictationController(capture=microphone))
    _ready(qtbot, widget)
    assert widget.controller.start()
    qtbot.waitUntil(lambda: not microphones[0]._blocks, timeout=LOAD_MS)  # all heard, no pause

    with qtbot.waitSignal(widget.text_final, timeout=LOAD_MS):
        microphones[0].disappear()

    assert widget.text.toPlainText() == sentence
    assert widget.status_label.text() == "麦克风已断开，已识别的文字已保留"
    qtbot.waitUntil(lambda: widget.controller.state == READY, timeout=LOAD_MS)
    assert widget.mic_button.isEnabled()  # another microphone can be used at once


@pytest.mark.slow
@pytest.mark.speech
def test_no_microphone_is_a_clear_message(qtbot: Any, make_widget: Any, qt_guard: Any,
                                          settings: Settings,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # No sound server: Qt Multimedia connects once per process, at its first use, which is
    # here (this is the only in-process test that opens a microphone).
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pulse/native")
    qt_guard.allow("pa_context_connect() failed")
    widget = make_widget()
    _ready(qtbot, widget)

    with qtbot.waitSignal(widget.controller.error, timeout=5_000) as blocker:
        qtbot.keyClick(widget.text, Qt.Key.Key_F9)

    assert blocker.args == ["没有找到麦克风：请连接麦克风后再试 (no audio input device)"]
    assert widget.status_label.text() == blocker.args[0]
    assert widget.controller.state == READY


# -- corrections can be undone ------------------------------------------------------------


def test_a_corrected_term_can_be_undone(qtbot: Any, make_widget: Any, settings: Settings
                                        ) -> None:
    widget = make_widget(load=False)
    widget.text.setPlainText("主诉：")
    cursor = widget.text.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    widget.text.setTextCursor(cursor)
    cleaned = clean_dictation("急查 机 盖 蛋白 三 小时 后 复查", TermCorrector(shipped_terms()))

    widget.controller.final.emit(DictationText(cleaned, cleaned))

    assert widget.text.toPlainText() == "主诉：急查肌钙蛋白3小时后复查"
    assert widget.undo_button.isVisibleTo(widget)
    assert widget.undo_button.text() == "撤销更正：肌钙蛋白→机盖蛋白"
    qtbot.mouseClick(widget.undo_button, Qt.MouseButton.LeftButton)
    assert widget.text.toPlainText() == "主诉：急查机盖蛋白3小时后复查"
    assert not widget.undo_button.isVisibleTo(widget)
    assert not widget.undo_corrections()  # nothing left to undo


def test_an_edited_correction_is_left_alone(qtbot: Any, make_widget: Any,
                                            settings: Settings) -> None:
    widget = make_widget(load=False)
    cleaned = clean_dictation("急查 机 盖 蛋白", TermCorrector(shipped_terms()))
    widget.controller.final.emit(DictationText(cleaned, cleaned))
    widget.text.setPlainText("急查心肌酶")  # the doctor rewrote it

    assert not widget.undo_corrections()
    assert widget.text.toPlainText() == "急查心肌酶"


# -- a dictation's finals are cleaned together ------------------------------------------


def _said(*finals: str) -> DictationText:
    """What the worker sends for the last of `finals` (Vosk's text of each utterance)."""
    return DictationText(clean_dictation(" ".join(finals)), clean_dictation(finals[-1]))


def test_a_reading_split_by_a_pause_is_joined_up(qtbot: Any, make_widget: Any) -> None:
    widget = make_widget(load=False)
    widget.text.setPlainText("查体：")
    widget.text.moveCursor(QTextCursor.MoveOperation.End)
    widget.controller.state_changed.emit(LISTENING)

    widget.controller.final.emit(_said("血压 一百六十"))
    assert widget.text.toPlainText() == "查体：血压一百六十"  # 160, or 100/60? left as said
    widget.controller.final.emit(_said("血压 一百六十", "九十五 心率 一百一十"))

    assert widget.text.toPlainText() == "查体：血压160/95心率110"


def test_an_edit_mid_dictation_stops_the_rewriting(qtbot: Any, make_widget: Any) -> None:
    widget = make_widget(load=False)
    widget.controller.state_changed.emit(LISTENING)
    widget.controller.final.emit(_said("胸痛 三 小时"))
    widget.text.setPlainText("胸痛3小时，压榨样")  # the doctor typed into it
    widget.text.moveCursor(QTextCursor.MoveOperation.End)

    widget.controller.final.emit(_said("胸痛 三 小时", "伴 出汗"))
    widget.controller.final.emit(_said("胸痛 三 小时", "伴 出汗", "两 天"))

    assert widget.text.toPlainText() == "胸痛3小时，压榨样伴出汗2天"


# -- the hotkey itself --------------------------------------------------------------------


def test_the_hotkey_reports_press_and_release_once(qtbot: Any, qt_guard: Any) -> None:
    box = QPlainTextEdit()
    qtbot.addWidget(box)
    hotkey = Hotkey("Ctrl+F9")
    hotkey.install()
    events: list[str] = []
    hotkey.pressed.connect(lambda: events.append("pressed"))
    hotkey.released.connect(lambda: events.append("released"))
    try:
        qtbot.keyPress(box, Qt.Key.Key_F9)  # without Ctrl: not the hotkey
        qtbot.keyRelease(box, Qt.Key.Key_F9)
        assert events == []
        qtbot.keyPress(box, Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
        for kind in (QEvent.Type.KeyRelease, QEvent.Type.KeyPress):  # held: auto-repeat
            QApplication.sendEvent(box, QKeyEvent(kind, Qt.Key.Key_F9,
                                                  Qt.KeyboardModifier.ControlModifier, "", True))
        qtbot.keyRelease(box, Qt.Key.Key_F9, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(box, "ab")
    finally:
        hotkey.uninstall()

    assert events == ["pressed", "released"]
    assert box.toPlainText() == "ab"  # other keys still reach the text box
    with pytest.raises(ValueError, match="not a key"):
        Hotkey("")
