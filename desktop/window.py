"""The panel window: docked beside the HIS, input above, the risk picture and draft below.

    ┌ 急诊哨兵 · 辅助决策 ───── [风险等级] ┐
    │ connection status · tool buttons      │
    │ banners (box down, hand-over, alarms) │
    │ template · fields · vitals · text     │
    │ dictation · pictures                  │
    │ [风险评估 | 病史草稿] tabs            │
    └───────────────────────────────────────┘

Every action has a keyboard shortcut, listed in the help panel (F1). The window shows the
session; all state lives in `CaseSession`, so a crash loses nothing the journal holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QMoveEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QSplitter,
    QSystemTrayIcon,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.assessment_view import AssessmentView, reminder_due
from desktop.connection import ConnectionMonitor, state_word
from desktop.docking import COMPACT_WIDTH, Placement, PlacementStore, dock_rect, find_screen
from desktop.draft_view import DraftView
from desktop.drafting import BoxProblem, DraftAnswer
from desktop.help import HelpDialog
from desktop.highlight import evidence_spans
from desktop.input_panel import InputPanel
from desktop.reminders import Announcer, ArmedReminder, ReminderBook
from desktop.session import CaseSession
from desktop.templates import TemplateCatalog
from desktop.widgets import Banner, FlowLayout, RiskBadge
from engine.drafting.model import Reminder
from engine.settings import Settings

log = logging.getLogger(__name__)

SAVE_PLACEMENT_MS = 400


class PanelWindow(QMainWindow):
    """See the module docstring."""

    settings_requested = Signal()
    closing = Signal()

    def __init__(self, session: CaseSession, settings: Settings, *,
                 catalog: TemplateCatalog, reminders: ReminderBook,
                 monitor: ConnectionMonitor, placement: PlacementStore,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self.catalog = catalog
        self.reminders = reminders
        self.monitor = monitor
        self.placement_store = placement
        self._clock = clock
        self.setWindowTitle(self.tr("急诊哨兵 · 辅助决策"))
        self.setObjectName("panelWindow")

        side = settings.get("dock_side")
        self.placement = placement.load(side)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_PLACEMENT_MS)
        self._save_timer.timeout.connect(self._save_placement)
        self._docking = False
        self._closed = False
        self.extra_shortcuts: list[tuple[str, str]] = []  # keys of embedded widgets (dictation)

        self._build()
        self._build_actions()
        self.tray = self._make_tray()
        self.announcer = Announcer(self.tray, self)

        session.rules_ready.connect(self._on_draft)
        session.model_ready.connect(self._on_model_draft)
        session.model_started.connect(monitor.report_busy)
        session.model_partial.connect(self.draft_view.show_partial)
        session.model_failed.connect(self._on_model_failed)
        session.notice.connect(self._on_notice)
        session.inputs_replaced.connect(self._on_inputs_replaced)
        session.open_cases_changed.connect(self._fill_open_cases)
        monitor.changed.connect(self._show_connection)
        reminders.due.connect(self._on_reminder_due)
        reminders.changed.connect(self._show_armed)
        self._show_connection(monitor.state, monitor.sentence)
        self._apply_flags(settings.get("always_on_top"))
        self.set_compact(self.placement.compact)

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        root = QWidget(self)
        root.setObjectName("panelRoot")
        layout = QVBoxLayout(root)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)

        head = QHBoxLayout()
        title = QLabel(self.tr("急诊哨兵"), root)
        title.setStyleSheet("font-size: 15pt; font-weight: 700; color: #0d47a1;")
        support = QLabel(self.tr("辅助决策"), root)
        support.setObjectName("decisionSupport")
        support.setToolTip(self.tr("所有内容均为辅助决策建议，由医生判断和修改后使用"))
        self.badge = RiskBadge(root)
        head.addWidget(title)
        head.addWidget(support)
        head.addStretch(1)
        head.addWidget(self.badge)
        layout.addLayout(head)

        tools = QWidget(root)
        self.tool_row = FlowLayout(tools, spacing=2)  # wraps when a language's words are long
        layout.addWidget(tools)
        self.connection = QLabel(root)
        self.connection.setObjectName("connection")
        self.connection.setWordWrap(True)
        layout.addWidget(self.connection)

        self.box_banner = Banner(root)
        self.message_banner = Banner(root)
        self.reminder_banner = Banner(root)
        self.reminder_banner.closed.connect(self.reminders.dismiss_announced)
        for banner in (self.reminder_banner, self.box_banner, self.message_banner):
            layout.addWidget(banner)

        self.input_panel = InputPanel(self.session, self.catalog, root)
        self.input_panel.save_template_requested.connect(self.save_personal_template)
        self.assessment = AssessmentView(root, clock=self._clock)
        self.assessment.chip_clicked.connect(self.highlight_finding)
        self.assessment.question_clicked.connect(self.input_panel.insert_question)
        self.assessment.arm_requested.connect(self.arm_reminder)
        self.assessment.cancel_requested.connect(self.reminders.cancel)
        self.draft_view = DraftView(root)
        self.draft_view.section_edited.connect(self.session.set_section_text)
        self.draft_view.section_reset.connect(self.session.reset_section)
        self.draft_view.copied.connect(self._on_copied)

        self.tabs = QTabWidget(root)
        self.tabs.addTab(_scrolling(self.assessment), self.tr("风险评估"))
        self.tabs.addTab(_scrolling(self.draft_view), self.tr("病史草稿"))
        self.splitter = QSplitter(Qt.Orientation.Vertical, root)
        self.splitter.addWidget(self.input_panel)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(root)

    def _build_actions(self) -> None:
        """Every action with its shortcut; the help panel lists these, so it is never stale."""
        self.actions_by_name: dict[str, QAction] = {}
        specs: list[tuple[str, str, str, Callable[[], None], bool]] = [
            ("new_case", self.tr("新病例"), "Ctrl+N", self.new_case, False),
            ("focus_text", self.tr("输入病情"), "Ctrl+E", self._focus_text, False),
            ("template", self.tr("选择模板"), "Ctrl+T", self._focus_template, False),
            ("redraft", self.tr("立即重新生成"), "Ctrl+Return", self.session.redraft_now,
             False),
            ("copy_record", self.tr("复制全部病史"), "Ctrl+Shift+C",
             self.draft_view.copy_record, False),
            ("tab_risk", self.tr("查看风险评估"), "Ctrl+1", lambda: self.tabs.setCurrentIndex(0),
             False),
            ("tab_draft", self.tr("查看病史草稿"), "Ctrl+2", lambda: self.tabs.setCurrentIndex(1),
             False),
            ("first_question", self.tr("转到第一个补病史问题"), "Alt+Q", self._focus_question,
             False),
            ("on_top", self.tr("窗口置顶"), "Ctrl+Shift+T", self._toggle_on_top, True),
            ("compact", self.tr("紧凑模式"), "Ctrl+Shift+M", self._toggle_compact, True),
            ("dock_left", self.tr("停靠屏幕左侧"), "Ctrl+Shift+Left",
             lambda: self.dock_to("left"), False),
            ("dock_right", self.tr("停靠屏幕右侧"), "Ctrl+Shift+Right",
             lambda: self.dock_to("right"), False),
            ("settings", self.tr("设置"), "Ctrl+,", self.settings_requested.emit, False),
            ("help", self.tr("快捷键帮助"), "F1", self.show_help, False),
        ]
        for name, text, keys, slot, checkable in specs:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setCheckable(checkable)
            action.triggered.connect(lambda _checked=False, s=slot: s())
            self.addAction(action)
            self.actions_by_name[name] = action
        self.actions_by_name["on_top"].setChecked(bool(self.settings.get("always_on_top")))
        self.actions_by_name["on_top"].setEnabled(not self.settings.is_locked("always_on_top"))
        self.actions_by_name["compact"].setChecked(self.placement.compact)
        side_locked = self.settings.is_locked("dock_side")
        self.actions_by_name["dock_left"].setEnabled(not side_locked)
        self.actions_by_name["dock_right"].setEnabled(not side_locked)

        for name, short in (("new_case", self.tr("新病例")), ("on_top", self.tr("置顶")),
                            ("compact", self.tr("紧凑")), ("settings", self.tr("设置")),
                            ("help", self.tr("帮助"))):
            self.tool_row.addWidget(self._tool_button(self.actions_by_name[name], short))
        self.open_cases_button = QToolButton(self)
        self.open_cases_button.setText(self.tr("未完成"))
        self.open_cases_button.setToolTip(self.tr("未完成的病例"))
        self.open_cases_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.open_cases_menu = QMenu(self.open_cases_button)
        self.open_cases_button.setMenu(self.open_cases_menu)
        self.open_cases_button.setVisible(False)
        self.tool_row.addWidget(self.open_cases_button)
        side = QToolButton(self)
        side.setText(self.tr("换边"))
        side.setToolTip(self.tr("停靠到另一侧") + " (Ctrl+Shift+←/→)")
        side.setEnabled(not side_locked)
        side.clicked.connect(lambda: self.dock_to(
            "left" if self.placement.side == "right" else "right"))
        self.tool_row.addWidget(side)

    def _tool_button(self, action: QAction, short: str) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setText(short)
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{action.text()} ({keys})")
        button.setAccessibleName(action.text())
        return button

    def _make_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(QIcon.fromTheme("dialog-information"), self)
        tray.setToolTip(self.tr("急诊哨兵"))
        tray.show()
        return tray

    # -- docking -------------------------------------------------------------------------

    def dock(self) -> None:
        """Put the panel along its side of its screen."""
        screen = find_screen(self.placement.screen)
        width = COMPACT_WIDTH if self.placement.compact else self.placement.width
        self._docking = True
        try:
            self.setGeometry(dock_rect(screen.availableGeometry(), self.placement.side, width))
        finally:
            self._docking = False

    def dock_to(self, side: str) -> None:
        if self.settings.is_locked("dock_side"):
            return
        self.settings.set_user("dock_side", side)
        self.placement = Placement(side, self.placement.width, self.placement.screen,
                                   self.placement.compact)
        self.dock()

    def set_compact(self, compact: bool) -> None:
        """Compact: the text, dictation and outputs only, in a narrower panel."""
        self.placement = Placement(self.placement.side, self.placement.width,
                                   self.placement.screen, compact)
        self.input_panel.structured.setVisible(not compact)
        self.input_panel.pictures_row.setVisible(not compact)
        self.actions_by_name["compact"].setChecked(compact)
        self._save_timer.start()
        if self.isVisible():
            self.dock()

    def _toggle_compact(self) -> None:
        self.set_compact(not self.placement.compact)

    def _toggle_on_top(self) -> None:
        on_top = self.actions_by_name["on_top"].isChecked()
        if not self.settings.is_locked("always_on_top"):
            self.settings.set_user("always_on_top", on_top)
        self._apply_flags(on_top)

    def _apply_flags(self, on_top: bool) -> None:
        visible = self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on_top)
        if visible:
            self.show()  # changing flags hides a window

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.placement.compact:
            self._remember(width=event.size().width())

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        screen = QGuiApplication.screenAt(self.geometry().center()) or self.screen()
        if screen is not None:
            self._remember(screen=screen.name())

    def _remember(self, *, width: int | None = None, screen: str | None = None) -> None:
        """Keep what the doctor did to the window (not what docking did), saved shortly."""
        if self._docking or self._closed or not self.isVisible():
            return
        placement = Placement(self.placement.side, width or self.placement.width,
                              screen or self.placement.screen, self.placement.compact)
        if placement != self.placement:
            self.placement = placement
            self._save_timer.start()

    def _save_placement(self) -> None:
        self.placement_store.save(self.placement)

    # -- drafts --------------------------------------------------------------------------

    def _on_draft(self, answer: DraftAnswer) -> None:
        self._show_answer(answer)

    def _on_model_draft(self, answer: DraftAnswer) -> None:
        self.monitor.report_ok()
        self.box_banner.hide()
        self._show_answer(answer)

    def _show_answer(self, answer: DraftAnswer) -> None:
        draft = answer.draft
        self.badge.set_level(draft.content.risk_level)
        self.assessment.show_draft(draft)
        self.assessment.show_armed(self._armed_here())
        self.draft_view.show_draft(draft, self.session.edited,
                                   self.session.visit_time_for_record())
        self.assessment.select_chip(None)
        self._highlight(None)

    def _on_model_failed(self, problem: BoxProblem) -> None:
        self.monitor.report_problem(problem.kind)
        if self.session.draft is not None:
            # The rules draft already shown stays; the streamed text, if any, is replaced.
            self.draft_view.show_draft(self.session.draft, self.session.edited,
                                       self.session.visit_time_for_record())

    def _on_inputs_replaced(self) -> None:
        if self.session.draft is None:
            self.badge.set_level(None)
            self.assessment.show_draft(None)
            self.draft_view.show_draft(None, {})
        self.assessment.show_armed(self._armed_here())

    def highlight_finding(self, key: str | None) -> None:
        self.assessment.select_chip(key)
        self._highlight(key)

    def _highlight(self, key: str | None) -> None:
        draft, text = self.session.draft, self.session.inputs.text
        highlighter = self.input_panel.highlighter
        if draft is None or not self.session.draft_text.startswith(text) or not draft.findings:
            highlighter.clear()
            return
        evidence = draft.findings.get("evidence") or {}
        chosen = evidence_spans(evidence, text, [key]) if key else []
        highlighter.set_spans(evidence_spans(evidence, text), chosen)

    # -- copying -------------------------------------------------------------------------

    def _on_copied(self, section: str, text: str) -> None:
        self.session.record_copy(section, text)
        what = self.tr("整份病史") if section == "record" else self.draft_view.sections[
            section].title
        self.statusBar().showMessage(self.tr("已复制{0}，可在 HIS 中粘贴").format(what), 4000)

    # -- reminders -----------------------------------------------------------------------

    def arm_reminder(self, reminder: Reminder) -> None:
        if self.session.case_id is None:
            return
        self.reminders.arm(self.session.case_id, reminder.text,
                           reminder_due(reminder, self._clock()))

    def _armed_here(self) -> list[ArmedReminder]:
        if self.session.case_id is None:
            return []
        return self.reminders.pending(self.session.case_id)

    def _show_armed(self) -> None:
        self.assessment.show_armed(self._armed_here())

    def _on_reminder_due(self, reminder: ArmedReminder) -> None:
        due = reminder.due_at.strftime("%H:%M")
        label = reminder.label if due in reminder.label else f"{reminder.label}（{due}）"
        text = self.tr("提醒到时：{0}").format(label)
        self.reminder_banner.show_message("reminder", text)
        self.announcer.announce(self.tr("急诊哨兵提醒"), text)
        self._show_armed()

    # -- messages ------------------------------------------------------------------------

    def _show_connection(self, state: str, sentence: str) -> None:
        self.connection.setText("● " + state_word(state))
        self.connection.setProperty("state", state)
        self.connection.style().unpolish(self.connection)
        self.connection.style().polish(self.connection)
        if sentence:
            self.box_banner.show_message("warning", sentence, dismissable=False)
        elif state in ("ok", "none"):
            self.box_banner.hide()

    def _on_notice(self, kind: str, message: str) -> None:
        if kind == "handover":
            self.message_banner.show_message(
                "error", self.tr("HIS 交接数据被拒绝，当前病例未改变：{0}").format(message))
        elif kind == "restored":
            self.message_banner.show_message("info", message)
        else:
            self.message_banner.show_message("error" if kind == "error" else "warning", message)

    # -- other actions -------------------------------------------------------------------

    def new_case(self) -> None:
        self.session.new_case()
        self.message_banner.hide()
        self.input_panel.text.setFocus()

    def _fill_open_cases(self) -> None:
        self.open_cases_menu.clear()
        for found in self.session.other_open_cases:
            when = datetime.fromtimestamp(found.updated_at).strftime("%H:%M")
            action = self.open_cases_menu.addAction(f"{when}  {found.preview or '…'}")
            action.triggered.connect(lambda _checked=False, c=found.case_id:
                                     self.session.switch_to(c))
        self.open_cases_button.setVisible(bool(self.session.other_open_cases))

    def save_personal_template(self) -> None:
        title, accepted = QInputDialog.getText(self, self.tr("存为我的模板"),
                                               self.tr("模板名称："))
        if accepted and title.strip():
            self.save_template_as(title)

    def save_template_as(self, title: str) -> None:
        from prompts.templates import TemplateError

        try:
            entry = self.catalog.save_personal(title, self.session.inputs)
        except TemplateError as exc:
            self.message_banner.show_message("error", self.tr("模板未保存：{0}").format(exc))
            return
        self.session.set_template(entry.template_id)
        self.input_panel.show_inputs()
        self.statusBar().showMessage(self.tr("已存为我的模板：{0}").format(entry.title), 4000)

    def show_help(self) -> None:
        self.help_dialog().exec()

    def help_dialog(self) -> HelpDialog:
        return HelpDialog(list(self.actions_by_name.values()), self, extra=self.extra_shortcuts)

    def _focus_text(self) -> None:
        self.input_panel.text.setFocus()

    def _focus_template(self) -> None:
        self.input_panel.template.setFocus()
        self.input_panel.template.showPopup()

    def _focus_question(self) -> None:
        self.tabs.setCurrentIndex(0)
        for index in range(self.assessment.questions_box.count()):
            item = self.assessment.questions_box.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setFocus()
                return

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        self._save_timer.stop()
        self.assessment.stop()
        self._save_placement()
        self.closing.emit()
        super().closeEvent(event)


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area

