"""The risk picture: findings chips, 拟诊, 补病史, 风险评估, 建议处置 and 日程提醒.

Everything here comes from code (the rules engine and the scores), never from the model, and is
labelled decision support. Clicking a chip highlights its words in the input; clicking a
question puts it into the input for the answer; a reminder's button starts its timer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.labels import finding_chips
from desktop.reminders import ArmedReminder
from desktop.style import SMALL_POINT_SIZE
from desktop.widgets import Chip, ClickableLabel, FlowLayout, SectionTitle, card
from engine.drafting.model import Draft, Reminder

MAX_CHIPS = 40
PREMADE_CHIPS = 24
FIRST_QUESTIONS = 5  # the ones that change the risk most come first; the rest on request


class AssessmentView(QWidget):
    """See the module docstring."""

    chip_clicked = Signal(str)  # evidence key
    question_clicked = Signal(str)
    arm_requested = Signal(object)  # Reminder
    cancel_requested = Signal(str)  # reminder id

    def __init__(self, parent: QWidget | None = None,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        super().__init__(parent)
        self._clock = clock
        self.draft: Draft | None = None
        self.chips: list[Chip] = []
        self.armed: list[ArmedReminder] = []
        self.all_questions = False
        self._shown: dict[str, str] = {}  # part -> signature of what it shows
        self._queue: list[Callable[[], None]] = []
        self._part_timer = QTimer(self)
        self._part_timer.setSingleShot(True)
        self._part_timer.setInterval(0)
        self._part_timer.timeout.connect(self._next_part)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)

        self.empty = QLabel(self.tr("输入或口述病情后，这里即时显示识别的要素、拟诊、"
                                    "补病史、风险评估、建议处置与提醒。"), self)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("label")
        layout.addWidget(self.empty)

        # Red flags first: what must not be missed is never below the fold.
        self.flags_box = QVBoxLayout()
        layout.addLayout(self.flags_box)
        self.chips_title = SectionTitle(self.tr("识别要素（点击查看原文依据）"), self)
        self.chips_box = QWidget(self)
        self.chips_layout = FlowLayout(self.chips_box)
        self._chip_pool: list[Chip] = []
        self.no_chips = QLabel(self.tr("尚未识别到临床要素"), self.chips_box)
        self.no_chips.setObjectName("label")
        self.chips_layout.addWidget(self.no_chips)
        self.no_chips.hide()
        self._grow_chip_pool(PREMADE_CHIPS)  # made at start, not while the doctor waits
        self.diagnosis_title = SectionTitle(self.tr("拟诊"), self)
        self.diagnosis = QLabel(self)
        self.diagnosis.setWordWrap(True)
        self.diagnosis.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.questions_title = SectionTitle(self.tr("补病史（点击插入输入框）"), self)
        self.questions_box = QVBoxLayout()
        self.risk_title = SectionTitle(self.tr("风险评估"), self)
        self.risk_box = QVBoxLayout()
        self.workup_title = SectionTitle(self.tr("建议处置"), self)
        self.workup = QLabel(self)
        self.workup.setWordWrap(True)
        self.workup.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reminders_title = SectionTitle(self.tr("日程提醒"), self)
        self.reminders_box = QVBoxLayout()
        self.warnings = QLabel(self)
        self.warnings.setObjectName("warning")
        self.warnings.setWordWrap(True)

        for widget in (self.chips_title, self.chips_box, self.diagnosis_title, self.diagnosis,
                       self.questions_title):
            layout.addWidget(widget)
        layout.addLayout(self.questions_box)
        layout.addWidget(self.risk_title)
        layout.addLayout(self.risk_box)
        layout.addWidget(self.workup_title)
        layout.addWidget(self.workup)
        layout.addWidget(self.reminders_title)
        layout.addLayout(self.reminders_box)
        layout.addWidget(self.warnings)
        layout.addStretch(1)
        self.show_draft(None)

    # -- showing -------------------------------------------------------------------------

    def show_draft(self, draft: Draft | None) -> None:
        self.draft = draft
        has = draft is not None
        self.empty.setVisible(not has)
        for widget in (self.chips_title, self.chips_box, self.diagnosis_title, self.diagnosis,
                       self.questions_title, self.risk_title, self.workup_title, self.workup,
                       self.reminders_title):
            widget.setVisible(has)
        # Redrafts come on every pause in typing and mostly change nothing here: rebuild
        # only the parts whose content changed, one part per turn of the event loop, so no
        # single turn holds the GUI thread long (laying out new wrapped text is the cost).
        self._queue = [self._part_flags, self._part_chips, self._part_questions,
                       self._part_scores, self._part_rest]
        self._next_part()

    def stop(self) -> None:
        """Drop the parts not yet drawn (the window is closing)."""
        self._queue.clear()
        self._part_timer.stop()

    def settled(self) -> bool:
        """Whether every part of the last draft is on screen."""
        return not self._queue

    def _next_part(self) -> None:
        if self._queue:
            self._queue.pop(0)()
        if self._queue:
            self._part_timer.start()

    def _part_flags(self) -> None:
        content = self.draft.content if self.draft is not None else None
        if self._changed("flags", content.risk_assessment if content else None):
            self._show_flags(self.draft)
        if self._changed("diagnosis", content.diagnosis if content else None):
            self._show_diagnosis(self.draft)

    def _part_chips(self) -> None:
        draft = self.draft
        if self._changed("chips", finding_chips(draft.findings) if draft else None):
            self._show_chips(draft)

    def _part_questions(self) -> None:
        content = self.draft.content if self.draft is not None else None
        if self._changed("questions", (content.history_to_ask if content else None,
                                       self.all_questions)):
            self._show_questions(self.draft)

    def _part_scores(self) -> None:
        if self._changed("scores", self.draft.scores if self.draft is not None else None):
            self._show_scores(self.draft)

    def _part_rest(self) -> None:
        draft = self.draft
        content = draft.content if draft is not None else None
        if self._changed("workup", content.suggested_workup if content else None):
            self._show_workup(draft)
        self._show_reminders()
        warnings = draft.warnings if draft is not None else []
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setVisible(bool(warnings))

    def show_armed(self, armed: list[ArmedReminder]) -> None:
        self.armed = armed
        self._show_reminders()

    def _changed(self, part: str, value: Any) -> bool:
        """Whether `part` must be drawn again: its content differs from what is shown."""
        signature = repr(value)
        if self._shown.get(part) == signature:
            return False
        self._shown[part] = signature
        return True

    def select_chip(self, key: str | None) -> None:
        for chip in self.chips:
            chip.set_selected(chip.key == key)

    def _show_chips(self, draft: Draft | None) -> None:
        specs = finding_chips(draft.findings if draft is not None else None)[:MAX_CHIPS]
        self._grow_chip_pool(len(specs))
        for chip, spec in zip(self._chip_pool, specs, strict=False):
            chip.show_spec(spec.text, spec.key, spec.tone)
            chip.show()
        for chip in self._chip_pool[len(specs):]:
            chip.hide()
        self.chips = self._chip_pool[:len(specs)]
        self.no_chips.setVisible(draft is not None and not specs)
        self.chips_layout.invalidate()
        self.chips_box.updateGeometry()

    def _grow_chip_pool(self, size: int) -> None:
        while len(self._chip_pool) < size:
            chip = Chip("", "", "present", self.chips_box)
            chip.clicked.connect(self.chip_clicked)
            chip.hide()
            chip.ensurePolished()
            self.chips_layout.addWidget(chip)
            self._chip_pool.append(chip)

    def _show_diagnosis(self, draft: Draft | None) -> None:
        if draft is None:
            self.diagnosis.clear()
            return
        diagnosis = draft.content.diagnosis
        text = f"<b>{_escape(diagnosis.primary) or self.tr('待定')}</b>"
        if diagnosis.differentials:
            text += "<br>" + self.tr("鉴别：") + _escape("；".join(diagnosis.differentials))
        self.diagnosis.setText(text)

    def _show_questions(self, draft: Draft | None) -> None:
        _clear(self.questions_box)
        questions = draft.content.history_to_ask if draft is not None else []
        shown = questions if self.all_questions else questions[:FIRST_QUESTIONS]
        for question in shown:
            button = ClickableLabel(f"＋ {_escape(question)}", self)
            button.setObjectName("question")
            button.setToolTip(self.tr("插入输入框，在冒号后补充回答"))
            button.setAccessibleName(question)
            button.clicked.connect(lambda q=question: self.question_clicked.emit(q))
            self.questions_box.addWidget(button)
        if len(questions) > FIRST_QUESTIONS:
            more = ClickableLabel(self.tr("收起") if self.all_questions else
                                  self.tr("显示全部 {0} 条").format(len(questions)), self)
            more.setObjectName("more")
            more.setStyleSheet("color: #1565c0; padding: 2px 8px;")
            more.clicked.connect(self._toggle_questions)
            self.questions_box.addWidget(more)
        self.questions_title.setVisible(bool(questions))

    def _toggle_questions(self) -> None:
        self.all_questions = not self.all_questions
        self._shown.pop("questions", None)
        self._show_questions(self.draft)

    def _show_flags(self, draft: Draft | None) -> None:
        """Red flags, and any assessment that is not one of the scores, in red at the top."""
        _clear(self.flags_box)
        if draft is None:
            return
        titles = {_score_title(name) for name in draft.scores or {}}
        for item in draft.content.risk_assessment:
            if item.name in titles:
                continue
            label = QLabel(f"⚠ <b>{_escape(item.name)}</b>：{_escape(item.result)}"
                           + (f"<br><span style='color:#5d4037'>{_escape(item.basis)}</span>"
                              if item.basis else ""), self)
            label.setObjectName("redFlag")
            label.setStyleSheet("color: #b71c1c; background: #ffebee; border-radius: 4px;"
                                "padding: 4px;")
            label.setWordWrap(True)
            self.flags_box.addWidget(label)

    def _show_scores(self, draft: Draft | None) -> None:
        _clear(self.risk_box)
        scores = {name: result for name, result in ((draft.scores or {}) if draft else {}).items()
                  if isinstance(result, dict)}
        for name, result in scores.items():
            self.risk_box.addWidget(self._score_card(name, result))
        self.risk_title.setVisible(bool(scores))

    def _score_card(self, name: str, result: dict[str, Any]) -> QWidget:
        """One score as one wrapped rich-text label (nested wrapped labels lose their height)."""
        frame = card(self)
        frame.setProperty("score", name)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(8, 6, 8, 6)
        lines = [self._score_headline(name, result)]
        # Each item's basis is the score's own wording and already carries its points.
        lines += [f"· {_escape(str(item.get('basis', '')))}" for item in result.get("items") or []]
        missing = result.get("missing") or []
        if missing and not result.get("complete"):
            low, high = (result.get("range") or [None, None])[:2]
            gap = self.tr("部分结果：可能范围 {0}–{1} 分，尚缺 {2} 项").format(
                f"{low:g}" if isinstance(low, int | float) else "?",
                f"{high:g}" if isinstance(high, int | float) else "?", len(missing))
            lines.append(f"<span style='color:#bf360c'>{gap}</span>")
        citation = self.tr("出处：") + _escape(str(result.get("citation", "")))
        lines.append(f"<span style='color:#546e7a; font-size:{SMALL_POINT_SIZE}pt'>"
                     f"{citation}</span>")
        label = QLabel("<br>".join(lines), frame)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label)
        frame.setToolTip(self.tr("评分由程序按原始文献计算，非模型生成"))
        return frame

    def _score_headline(self, name: str, result: dict[str, Any]) -> str:
        title = _score_title(name)
        total = result.get("total")
        total_text = f"{total:g}" if isinstance(total, int | float) else "?"
        band = result.get("band")
        if result.get("complete"):
            summary = self.tr("{0} 分").format(total_text)
        else:
            summary = self.tr("已得 {0} 分（未完整）").format(total_text)
        if band:
            summary += f" · {_escape(str(band))}"
        return f"<b>{_escape(title)}</b>　{summary}"

    def _show_workup(self, draft: Draft | None) -> None:
        items = draft.content.suggested_workup if draft is not None else []
        self.workup.setText("<br>".join(f"{n}. {_escape(item)}" for n, item in
                                        enumerate(items, 1)))
        self.workup_title.setVisible(bool(items))
        self.workup.setVisible(bool(items))

    def _show_reminders(self) -> None:
        reminders = self.draft.content.reminders if self.draft is not None else []
        minute = self._clock().replace(second=0, microsecond=0)  # the countdown's resolution
        if not self._changed("reminders", (reminders, self.armed, minute)):
            return
        _clear(self.reminders_box)
        for reminder in reminders:
            self.reminders_box.addWidget(self._reminder_row(reminder))
        self.reminders_title.setVisible(bool(reminders))

    def _reminder_row(self, reminder: Reminder) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        armed = next((a for a in self.armed if a.label == " ".join(reminder.text.split())),
                     None)
        text = QLabel(self._reminder_text(reminder, armed), row)
        text.setWordWrap(True)
        layout.addWidget(text, 1)
        if armed is None:
            button = QPushButton(self.tr("开始计时"), row)
            button.setToolTip(self.tr("到时以托盘消息和提示音提醒（重启后仍保留）"))
            button.clicked.connect(lambda _checked=False, r=reminder: self.arm_requested.emit(r))
        else:
            button = QPushButton(self.tr("取消"), row)
            button.clicked.connect(lambda _checked=False, a=armed:
                                   self.cancel_requested.emit(a.reminder_id))
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _reminder_text(self, reminder: Reminder, armed: ArmedReminder | None) -> str:
        text = _escape(reminder.text)
        if reminder.due_at is not None and reminder.due_at.strftime("%H:%M") not in text:
            text = f"{reminder.due_at.strftime('%H:%M')} {text}"
        elif reminder.due_at is None and reminder.due_in_minutes is not None:
            text = self.tr("{0} 分钟后 {1}").format(reminder.due_in_minutes, text)
        if armed is None:
            return text
        left = max(0, int((armed.due_at - self._clock()) / timedelta(minutes=1)))
        return self.tr("<b>已计时，还剩 {0} 分钟</b>：{1}").format(left, text)


def reminder_due(reminder: Reminder, now: datetime) -> datetime:
    """When an armed reminder falls due: its own time, else now plus its delay."""
    if reminder.due_at is not None:
        due = reminder.due_at
        if due.tzinfo is not None and now.tzinfo is None:
            due = due.astimezone().replace(tzinfo=None)
        return due
    return now + timedelta(minutes=reminder.due_in_minutes or 0)


def _score_title(name: str) -> str:
    from engine.scores import UnknownScore, title

    try:
        return title(name)
    except UnknownScore:  # a score of an older draft this version no longer has
        return name


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.hide()
            widget.deleteLater()
