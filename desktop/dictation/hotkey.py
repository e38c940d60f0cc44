"""A dictation hotkey inside the app: press and release of one key, wherever the focus is.

An application-wide event filter, because push-to-talk needs the release as well as the press
(a QShortcut only reports activation). Auto-repeat while the key is held is ignored. The key
is not consumed elsewhere: the filter eats only the hotkey's own events.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence


class Hotkey(QObject):
    pressed = Signal()
    released = Signal()

    def __init__(self, sequence: str = "F9", parent: QObject | None = None) -> None:
        super().__init__(parent)
        keys = QKeySequence(sequence)
        if keys.isEmpty():
            raise ValueError(f"not a key: {sequence!r}")
        self.combination = keys[0]  # type: ignore[index]  # the stubs miss __getitem__
        self.text = keys.toString(QKeySequence.SequenceFormat.NativeText)
        self._down = False
        self._installed = False

    def install(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        assert isinstance(event, QKeyEvent)
        if Qt.Key(event.key()) != self.combination.key():
            return False
        if kind == QEvent.Type.KeyPress:
            if event.modifiers() != self.combination.keyboardModifiers():
                return False
            if not event.isAutoRepeat() and not self._down:
                self._down = True
                self.pressed.emit()
            return True
        if event.isAutoRepeat():
            return True
        if self._down:
            self._down = False
            self.released.emit()
            return True
        return False
