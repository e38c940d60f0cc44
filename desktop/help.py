"""The help panel: every keyboard shortcut of the panel, read from its actions."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class HelpDialog(QDialog):
    """A table of action and shortcut, plus what the panel is and is not."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None, *,
                 extra: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("快捷键与说明"))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "急诊哨兵根据口述或输入的病情即时给出识别要素、拟诊、补病史、风险评估、"
            "建议处置和提醒，并起草病史。所有内容均为辅助决策，由医生判断、修改后"
            "自行复制到 HIS；本程序不会自动向 HIS 输入任何内容。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        rows = [(action.text(),
                 action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
                for action in actions] + list(extra or [])
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("操作"), self.tr("快捷键")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (text, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(text))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(420, 520)

    def rows(self) -> list[tuple[str, str]]:
        rows = []
        for row in range(self.table.rowCount()):
            action, keys = self.table.item(row, 0), self.table.item(row, 1)
            rows.append((action.text() if action else "", keys.text() if keys else ""))
        return rows
