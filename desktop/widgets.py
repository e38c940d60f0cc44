"""Small widgets the panel is built from: a flowing row of chips, banners, the risk badge."""

from __future__ import annotations

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QMargins,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from desktop.style import risk_colours


class FlowLayout(QLayout):
    """Lays items out left to right, wrapping to the next line when the row is full."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins: QMargins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def clear(self) -> None:
        while self._items:
            item = self._items.pop()
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():  # a hidden widget takes no room
                continue
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and row_height > 0:
                x, y = area.x(), y + row_height + self._spacing
                row_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + margins.bottom()


class Chip(QLabel):
    """A finding as a small rounded label; clicking it highlights its words in the input."""

    clicked = Signal(str)  # the evidence key

    def __init__(self, text: str, key: str, tone: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.key = key
        self.tone = tone
        self.setObjectName("chip")
        self.setProperty("tone", tone)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def show_spec(self, text: str, key: str, tone: str) -> None:
        """Show another finding (chips are reused: making widgets costs the GUI thread)."""
        self.key = key
        if text != self.text():
            self.setText(text)
        if tone != self.tone:
            self.tone = tone
            self._restyle(tone)

    def set_selected(self, selected: bool) -> None:
        tone = "selected" if selected else self.tone
        if self.property("tone") != tone:
            self._restyle(tone)

    def _restyle(self, tone: str) -> None:
        self.setProperty("tone", tone)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.key)
        super().mousePressEvent(event)


class ClickableLabel(QLabel):
    """A wrapping label that acts as a button: click, or Enter/Space when focused."""

    clicked = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class SectionTitle(QLabel):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("sectionTitle")


# The engine's risk levels as the badge shows them (translated in the English interface).
RISK_WORDS = {"高危": QT_TRANSLATE_NOOP("RiskBadge", "高危"),
              "中危": QT_TRANSLATE_NOOP("RiskBadge", "中危"),
              "低危": QT_TRANSLATE_NOOP("RiskBadge", "低危")}


class RiskBadge(QLabel):
    """风险等级 in colour, large; grey with a dash when no level is known yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumWidth(88)
        self.level: str | None = None
        self.set_level(None)

    def set_level(self, level: str | None) -> None:
        self.level = level
        background, foreground = risk_colours(level)
        shown = QCoreApplication.translate("RiskBadge", str(RISK_WORDS.get(level or "", "")))
        self.setText(shown or self.tr("风险等级 —"))
        self.setToolTip(self.tr("风险等级（辅助决策，由医生判断）"))
        self.setStyleSheet(f"background: {background}; color: {foreground}; font-weight: 700;"
                           "border-radius: 6px; padding: 4px 12px; font-size: 15pt;")


class Banner(QFrame):
    """A sentence the doctor must see (box down, hand-over refused, reminder due)."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss = QPushButton(self.tr("知道了"), self)
        self.dismiss.clicked.connect(self.hide)
        self.dismiss.clicked.connect(self.closed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.kind = ""
        self.hide()

    def show_message(self, kind: str, text: str, *, dismissable: bool = True) -> None:
        self.kind = kind
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.dismiss.setVisible(dismissable)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""


def card(parent: QWidget | None = None) -> QFrame:
    frame = QFrame(parent)
    frame.setObjectName("card")
    return frame
