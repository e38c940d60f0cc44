"""病史草稿: the draft, section by section, each editable and copyable in HIS-ready text.

A section the doctor edits is theirs: later drafts never overwrite it (a "恢复" button brings
back the generated text). While the model streams, the sections it has begun are shown as they
arrive, marked as being written. Copying puts plain text on the clipboard (section headings,
24-hour times); nothing is ever typed into the HIS.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.stream_parse import PartialField
from desktop.widgets import SectionTitle
from engine.drafting.model import Draft
from engine.drafting.render import RECORD_SECTIONS, TIME_FORMAT

# Where each field of the model's narrative lands among the record's sections.
NARRATIVE_TO_SECTION = {
    "chief_complaint": "chief_complaint", "present_illness": "present_illness",
    "past_history": "past_history", "personal_history": "personal_history",
    "allergy_history": "allergy_history", "physical_exam": "physical_exam",
    "diagnosis_primary": "diagnosis", "plan": "plan",
}
EMPTY_SECTION = "（待补充）"


class SectionEditor(QPlainTextEdit):
    """A section's text, growing with its content so the whole draft reads top to bottom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._fit)
        self._fit()

    def _fit(self) -> None:
        lines = max(1, int(self.document().size().height()))
        line_height = QFontMetrics(self.font()).lineSpacing()
        self.setFixedHeight(min(lines, 14) * line_height + 14)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(200, self.height())


class SectionBox(QWidget):
    """Title, copy and reset buttons, and the editor of one section."""

    def __init__(self, key: str, title: str, view: DraftView) -> None:
        super().__init__(view)
        self.key = key
        self.title = title
        self.generated = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(2)
        head = QHBoxLayout()
        self.heading = SectionTitle(title, self)
        self.state = QLabel(self)
        self.state.setObjectName("label")
        self.reset = QPushButton(self.tr("恢复"), self)
        self.reset.setToolTip(self.tr("放弃修改，恢复生成的内容"))
        self.reset.hide()
        self.copy = QPushButton(self.tr("复制"), self)
        self.copy.setToolTip(self.tr("复制本节（纯文本）到剪贴板"))
        self.copy.setAccessibleName(self.tr("复制{0}").format(title))
        head.addWidget(self.heading)
        head.addWidget(self.state, 1)
        head.addWidget(self.reset)
        head.addWidget(self.copy)
        self.editor = SectionEditor(self)
        self.editor.setAccessibleName(title)
        self.editor.setPlaceholderText(EMPTY_SECTION)
        layout.addLayout(head)
        layout.addWidget(self.editor)

    def text(self) -> str:
        return self.editor.toPlainText().strip()

    def show_text(self, text: str) -> None:
        if self.editor.toPlainText() != text:
            self.editor.blockSignals(True)
            self.editor.setPlainText(text)
            self.editor.blockSignals(False)


class DraftView(QWidget):
    """See the module docstring."""

    section_edited = Signal(str, str)  # key, text
    section_reset = Signal(str)
    copied = Signal(str, str)  # section key ("record" for the whole), the text copied

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: Draft | None = None
        self.edited: dict[str, str] = {}
        self.visit_time: datetime | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)

        top = QHBoxLayout()
        self.copy_all = QPushButton(self.tr("复制全部病史"), self)
        self.copy_all.setObjectName("primary")
        self.copy_all.setToolTip(self.tr("复制整份病史草稿（纯文本），到 HIS 中粘贴"))
        self.copy_all.clicked.connect(self.copy_record)
        self.provenance = QLabel(self)
        self.provenance.setObjectName("citation")
        self.provenance.setWordWrap(True)
        top.addWidget(self.copy_all)
        top.addWidget(self.provenance, 1)
        layout.addLayout(top)

        self.sections: dict[str, SectionBox] = {}
        for key, title, _text_of in RECORD_SECTIONS:
            box = SectionBox(key, title, self)
            box.copy.clicked.connect(lambda _checked=False, k=key: self.copy_section(k))
            box.reset.clicked.connect(lambda _checked=False, k=key: self._reset(k))
            box.editor.textChanged.connect(lambda k=key: self._edited(k))
            self.sections[key] = box
            layout.addWidget(box)

        self.citations_title = SectionTitle(self.tr("知识库引用"), self)
        self.citations = QLabel(self)
        self.citations.setObjectName("citation")
        self.citations.setWordWrap(True)
        self.citations.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.citations_title)
        layout.addWidget(self.citations)
        self.label = QLabel(self)
        self.label.setObjectName("decisionSupport")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        layout.addStretch(1)
        self.show_draft(None, {})

    # -- showing -------------------------------------------------------------------------

    def show_draft(self, draft: Draft | None, edited: dict[str, str],
                   visit_time: datetime | None = None) -> None:
        self.draft, self.edited, self.visit_time = draft, dict(edited), visit_time
        for key, _title, text_of in RECORD_SECTIONS:
            box = self.sections[key]
            box.generated = text_of(draft.content) if draft is not None else ""
            box.show_text(self.edited.get(key, box.generated))
            self._mark(box, streaming=False)
        self.copy_all.setEnabled(draft is not None)
        for box in self.sections.values():
            box.copy.setEnabled(draft is not None)
        self._show_citations(draft)
        self.label.setText(draft.label if draft is not None else
                           self.tr("辅助决策：草稿由医生审核修改后使用"))
        self.provenance.setText(self._provenance(draft))

    def show_partial(self, fields: dict[str, PartialField]) -> None:
        """The model's narrative so far: sections it has begun, unless the doctor edited them."""
        for name, section in NARRATIVE_TO_SECTION.items():
            partial = fields.get(name)
            box = self.sections[section]
            if partial is None or section in self.edited or not partial.text:
                continue
            box.show_text(partial.text)
            self._mark(box, streaming=not partial.complete)

    def _mark(self, box: SectionBox, *, streaming: bool) -> None:
        if box.key in self.edited:
            box.state.setText(self.tr("已修改"))
        elif streaming:
            box.state.setText(self.tr("生成中…"))
        else:
            box.state.setText("")
        box.reset.setVisible(box.key in self.edited)

    def _show_citations(self, draft: Draft | None) -> None:
        citations = draft.citations if draft is not None else []
        lines = []
        for n, citation in enumerate(citations, 1):
            text = citation.document + (f" · {citation.section}" if citation.section else "")
            if citation.version:
                text += f"（{citation.version}）"
            lines.append(f"[{n}] {_escape(text)}")
        self.citations.setText("<br>".join(lines))
        self.citations_title.setVisible(bool(lines))
        self.citations.setVisible(bool(lines))

    def _provenance(self, draft: Draft | None) -> str:
        if draft is None:
            return ""
        p = draft.provenance
        engine = {"rules": self.tr("规则引擎"), "rules+model": self.tr("规则引擎+模型"),
                  "model": self.tr("模型")}.get(p.engine, p.engine)
        made = engine + (f" · {p.model}" if p.model else "")
        return self.tr("{0} · {1} 生成").format(made, p.created_at.strftime("%H:%M"))

    # -- the doctor's edits and copies ----------------------------------------------------

    def _edited(self, key: str) -> None:
        box = self.sections[key]
        if self.draft is None:
            return
        text = box.editor.toPlainText()
        if text == box.generated:
            self.edited.pop(key, None)
            self.section_reset.emit(key)
        else:
            self.edited[key] = text
            self.section_edited.emit(key, text)
        self._mark(box, streaming=False)

    def _reset(self, key: str) -> None:
        box = self.sections[key]
        self.edited.pop(key, None)
        box.show_text(box.generated)
        self._mark(box, streaming=False)
        self.section_reset.emit(key)

    def section_text(self, key: str) -> str:
        """One section as the HIS takes it: `标题：text`."""
        box = self.sections[key]
        return f"{box.title}：{box.text() or EMPTY_SECTION}"

    def record_text(self) -> str:
        """The whole record as shown (with the doctor's edits), in the order of the rules."""
        lines = []
        if self.visit_time is not None:
            lines.append(f"就诊时间：{self.visit_time.strftime(TIME_FORMAT)}")
        lines += [self.section_text(key) for key, _title, _text in RECORD_SECTIONS]
        return "\n".join(lines)

    def copy_section(self, key: str) -> None:
        if self.draft is None:
            return
        text = self.section_text(key)
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(key, text)

    def copy_record(self) -> None:
        if self.draft is None:
            return
        text = self.record_text()
        QGuiApplication.clipboard().setText(text)
        self.copied.emit("record", text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
