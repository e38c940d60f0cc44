"""The dictation widget: microphone button, mode, level meter, live words and status.

It writes final text into a text box: the panel's (`target`) or, on its own, one it makes.
Typing in that box never depends on dictation: when the model is missing the button is off,
the status says exactly why, and the box works as before. The last final's term corrections
can be undone with one click.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dictation.controller import (
    LISTENING,
    LOADING,
    READY,
    STOPPING,
    UNAVAILABLE,
    DictationController,
)
from desktop.dictation.hotkey import Hotkey
from desktop.dictation.worker import DictationText
from engine.speech.cleanup import Cleaned, is_cjk, join_words

log = logging.getLogger(__name__)

TOGGLE, PUSH_TO_TALK = "toggle", "push"
METER_FLOOR_DB = -60.0


class LevelMeter(QWidget):
    """A bar for the microphone level: -60 dBFS empty, 0 dBFS full."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fraction = 0.0
        self.setMinimumSize(60, 8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(self.tr("麦克风音量"))

    def sizeHint(self) -> QSize:
        return QSize(80, 10)

    def set_level(self, dbfs: float) -> None:
        fraction = min(1.0, max(0.0, (dbfs - METER_FLOOR_DB) / -METER_FLOOR_DB))
        if fraction != self.fraction:
            self.fraction = fraction
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#e5e7eb"))
        filled = self.rect().adjusted(0, 0, -round(self.width() * (1 - self.fraction)), 0)
        colour = "#16a34a" if self.fraction < 0.85 else "#dc2626"
        painter.fillRect(filled, QColor(colour))
        painter.end()


class DictationWidget(QWidget):
    """Dictation into a text box. `text_final` carries each utterance's cleaned text."""

    text_final = Signal(str)

    def __init__(self, parent: QWidget | None = None, *,
                 controller: DictationController | None = None,
                 target: QPlainTextEdit | None = None, hotkey: str = "F9",
                 mode: str = TOGGLE, load: bool = True) -> None:
        super().__init__(parent)
        self.controller = controller or DictationController(self)
        self.hotkey = Hotkey(hotkey, self)
        self._last: tuple[int, Cleaned] | None = None
        self._error = ""  # shown until the doctor dictates again
        # Where this dictation's text stands in the box, to rewrite it as finals arrive;
        # None before its first final, and for good once the doctor edits it or moves on.
        self._region: tuple[int, str] | None = None
        self._region_broken = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.owns_text = target is None
        self.text = target if target is not None else QPlainTextEdit(self)
        if self.owns_text:
            self.text.setAccessibleName(self.tr("病情描述"))
            layout.addWidget(self.text, 1)
        layout.addLayout(self._controls())
        self.partial_label = QLabel(self)
        self.partial_label.setObjectName("dictationPartial")
        self.partial_label.setStyleSheet("color: #6b7280;")
        self.partial_label.setWordWrap(True)
        layout.addWidget(self.partial_label)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("dictationStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)

        self._connect()
        self.set_mode(mode)
        self.hotkey.install()
        self._show_state(self.controller.state)
        if load:
            self.controller.load()

    def _controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.mic_button = QToolButton(self)
        self.mic_button.setText(self.tr("🎤 口述"))
        self.mic_button.setAccessibleName(self.tr("语音输入"))
        self.mic_button.setCheckable(True)
        row.addWidget(self.mic_button)
        self.mode_box = QComboBox(self)
        self.mode_box.addItem(self.tr("点按开关"), TOGGLE)
        self.mode_box.addItem(self.tr("按住说话"), PUSH_TO_TALK)
        self.mode_box.setAccessibleName(self.tr("口述方式"))
        row.addWidget(self.mode_box)
        self.level_meter = LevelMeter(self)
        row.addWidget(self.level_meter, 1)
        self.undo_button = QPushButton(self)
        self.undo_button.setVisible(False)
        row.addWidget(self.undo_button)
        return row

    def _connect(self) -> None:
        controller = self.controller
        controller.state_changed.connect(self._show_state)
        controller.partial.connect(self._show_partial)
        controller.final.connect(self._insert_final)
        controller.error.connect(self._show_error)
        controller.notice.connect(self._show_notice)
        controller.level.connect(self.level_meter.set_level)
        self.mic_button.clicked.connect(self._clicked)
        self.mic_button.pressed.connect(self._pressed)
        self.mic_button.released.connect(self._released)
        self.mode_box.currentIndexChanged.connect(self._mode_chosen)
        self.hotkey.pressed.connect(self._pressed_key)
        self.hotkey.released.connect(self._released)
        self.undo_button.clicked.connect(self.undo_corrections)

    # -- modes and input -------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return str(self.mode_box.currentData())

    def set_mode(self, mode: str) -> None:
        if mode not in (TOGGLE, PUSH_TO_TALK):
            raise ValueError(f"mode must be {TOGGLE!r} or {PUSH_TO_TALK!r} (got {mode!r})")
        self.mode_box.setCurrentIndex(self.mode_box.findData(mode))

    @Slot(int)
    def _mode_chosen(self, _index: int) -> None:
        self.controller.stop()
        self.mic_button.setCheckable(self.mode == TOGGLE)
        self._show_state(self.controller.state)

    @Slot()
    def _clicked(self) -> None:
        if self.mode == TOGGLE:
            self.controller.toggle()
            self._show_state(self.controller.state)

    @Slot()
    def _pressed(self) -> None:
        if self.mode == PUSH_TO_TALK:
            self.controller.start()

    @Slot()
    def _pressed_key(self) -> None:
        if self.mode == PUSH_TO_TALK:
            self.controller.start()
        else:
            self.controller.toggle()

    @Slot()
    def _released(self) -> None:
        if self.mode == PUSH_TO_TALK:
            self.controller.stop()

    # -- showing ---------------------------------------------------------------------------

    @Slot(str)
    def _show_state(self, state: str) -> None:
        self.mic_button.setEnabled(state not in (LOADING, UNAVAILABLE))
        self.mic_button.blockSignals(True)
        self.mic_button.setChecked(state == LISTENING and self.mode == TOGGLE)
        self.mic_button.blockSignals(False)
        hint = (self.tr("按住 {0} 或按住按钮说话") if self.mode == PUSH_TO_TALK
                else self.tr("按 {0} 或点击按钮开始/停止口述")).format(self.hotkey.text)
        messages = {
            LOADING: self.tr("正在加载语音模型…"),
            UNAVAILABLE: self.tr("语音输入不可用，可继续打字：{0}").format(
                self.controller.unavailable_reason),
            READY: hint,
            LISTENING: self.tr("正在听…"),
            STOPPING: self.tr("正在识别最后的文字…"),
        }
        if state == LISTENING:  # a new dictation (LISTENING is only ever entered from READY)
            self._error = ""
            self._region, self._region_broken = None, False
        if state == READY and self._error:
            self._status(self._error, error=True)
        else:
            self._status(messages.get(state, ""), error=state == UNAVAILABLE)
        self.mic_button.setToolTip(self.controller.unavailable_reason or hint)
        if state != LISTENING:
            self.level_meter.set_level(METER_FLOOR_DB)

    @Slot(str)
    def _show_partial(self, text: str) -> None:
        self.partial_label.setText(join_words(text).text)

    @Slot(str)
    def _show_error(self, message: str) -> None:
        self._error = message
        self._status(message, error=True)

    @Slot(str)
    def _show_notice(self, message: str) -> None:
        log.info("dictation: %s", message)
        self.status_label.setToolTip(message)

    def _status(self, message: str, *, error: bool) -> None:
        self.status_label.setText(message)
        self.status_label.setProperty("error", error)
        self.status_label.setStyleSheet("color: #b91c1c;" if error else "color: #374151;")

    # -- text ------------------------------------------------------------------------------

    @Slot(object)
    def _insert_final(self, said: DictationText) -> None:
        self.partial_label.clear()
        if not said.latest.text:
            return
        if self._region is not None and self._region_intact():
            # Rewrite this dictation's text whole: numbers split by a pause join up again.
            start, cleaned = self._region[0], said.whole
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(start)
            cursor.setPosition(start + len(self._region[1]), QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(cleaned.text)
        else:
            if self._region is not None:
                self._region_broken = True  # edited or moved away: from now on, append only
            cleaned = said.latest if self._region_broken else said.whole
            cursor = self.text.textCursor()
            before = self.text.toPlainText()[:cursor.position()]
            joiner = " " if before and not before[-1].isspace() and not (
                is_cjk(before[-1]) or is_cjk(cleaned.text[0])) else ""
            cursor.insertText(joiner + cleaned.text)
            start = cursor.position() - len(cleaned.text)
        self.text.setTextCursor(cursor)
        self._region = None if self._region_broken else (start, cleaned.text)
        self._last = (start, cleaned) if cleaned.corrections else None
        self._offer_undo()
        self.text_final.emit(said.latest.text)

    def _region_intact(self) -> bool:
        """The dictated text is as inserted and the cursor still right after it."""
        assert self._region is not None
        start, text = self._region
        at_end = self.text.textCursor().position() == start + len(text)
        return at_end and self.text.toPlainText()[start:start + len(text)] == text

    def _offer_undo(self) -> None:
        if self._last is None:
            self.undo_button.setVisible(False)
            return
        shown = "、".join(f"{fix.after}→{fix.before}" for fix in self._last[1].corrections)
        self.undo_button.setText(self.tr("撤销更正：{0}").format(shown))
        self.undo_button.setVisible(True)

    @Slot()
    def undo_corrections(self) -> bool:
        """Put back the words Vosk heard for the last final's corrected terms."""
        if self._last is None:
            return False
        start, cleaned = self._last
        self._last = None
        self._offer_undo()
        document = self.text.toPlainText()
        undone = False
        for fix in sorted(cleaned.corrections, key=lambda edit: -edit.start):
            at = start + fix.start
            if document[at:at + len(fix.after)] != fix.after:
                continue  # the doctor edited it since: leave their text alone
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(at)
            cursor.setPosition(at + len(fix.after), QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(fix.before)
            undone = True
        return undone

    def shutdown(self) -> None:
        """Stop listening and the recognition thread (the panel calls this on exit)."""
        self.hotkey.uninstall()
        self.controller.shutdown()

    def sizeHint(self) -> QSize:
        return QSize(320, 220 if self.owns_text else 60)

