"""Starting and stopping the panel: the application, its parts, and the local channel.

    panel = Panel(settings)          # builds everything; nothing runs yet
    panel.start()                    # channel, journal (on a worker), box probe, window
    ...                              # the event loop runs
    panel.shutdown()                 # stops the workers, writes the journal, closes the channel

`run_panel()` is what `sentinel panel` and `python -m desktop` call. When a panel of this user
already runs, a second start hands its hand-over to that one and exits.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from desktop import i18n
from desktop.channel import PanelChannel, send_handover
from desktop.connection import PROBE_EVERY_MS, ConnectionMonitor
from desktop.docking import PlacementStore
from desktop.drafting import MODEL_DELAY_MS, RULES_DELAY_MS, DraftService
from desktop.errors import HandoverRefused, PanelNotRunning
from desktop.handover import Handover
from desktop.reminders import ReminderBook
from desktop.session import CaseSession
from desktop.style import style_sheet, ui_font
from desktop.templates import TemplateCatalog
from desktop.window import PanelWindow
from engine.client import InferenceClient
from engine.drafting.pipeline import Drafter
from engine.drafting.setup import client_config, make_drafter
from engine.settings import Settings
from engine.storage import AuditLog, CaseJournal

log = logging.getLogger(__name__)

APP_NAME = "ED Sentinel"
BOX_KEYS = frozenset({"inference_urls", "ca_bundle", "api_key", "tls_verify", "model",
                      "dialect", "reasoning_mode", "max_draft_tokens"})

DictationFactory = Callable[["Panel"], QWidget | None]


def make_application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication, made once: high-DPI sharp, the Chinese UI font, the style sheet."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(list(argv) or [sys.argv[0] if sys.argv else "sentinel"])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName("急诊哨兵")
    style(app)
    return app


def style(app: QApplication) -> None:
    app.setFont(ui_font())
    app.setStyleSheet(style_sheet())


class Panel(QObject):
    """The running panel's parts, built from settings; see the module docstring."""

    def __init__(self, settings: Settings | None = None, *, home: Path | None = None,
                 rules_drafter: Drafter | None = None,
                 model_drafter: Callable[[Settings], Drafter | None] | None = None,
                 probe_client: Callable[[Settings], InferenceClient | None] | None = None,
                 journal_factory: Callable[[], CaseJournal] | None = None,
                 audit_factory: Callable[[], AuditLog] | None = None,
                 dictation: DictationFactory | None = None,
                 channel_name: str | None = None,
                 clock: Callable[[], datetime] = datetime.now,
                 rules_delay_ms: int | None = None, model_delay_ms: int | None = None,
                 probe_every_ms: int | None = None) -> None:
        super().__init__()
        app = QApplication.instance()
        assert isinstance(app, QApplication), "make_application() first"
        self.settings = settings or Settings.load(home)
        self.translators = i18n.install(app, self.settings.get("language"))
        self._model_drafter = model_drafter or _model_drafter
        self._probe_client = probe_client or _probe_client

        self.drafts = DraftService(
            rules_drafter or Drafter(client=None), self._model_drafter(self.settings),
            rules_delay_ms=RULES_DELAY_MS if rules_delay_ms is None else rules_delay_ms,
            model_delay_ms=MODEL_DELAY_MS if model_delay_ms is None else model_delay_ms)
        self.catalog = TemplateCatalog()
        self.session = CaseSession(self.drafts, home=home, journal_factory=journal_factory,
                                   audit_factory=audit_factory,
                                   engine_template=self.catalog.engine_template)
        self.reminders = ReminderBook(clock=clock)
        self.monitor = ConnectionMonitor(
            lambda: self._probe_client(self.settings),
            probe_every_ms=PROBE_EVERY_MS if probe_every_ms is None else probe_every_ms)
        self.window = PanelWindow(self.session, self.settings, catalog=self.catalog,
                                  reminders=self.reminders, monitor=self.monitor,
                                  placement=PlacementStore(), clock=clock)
        self.channel = PanelChannel(channel_name)
        self.channel.handover_received.connect(self.session.apply_handover)
        self.channel.handover_refused.connect(
            lambda message: self.session.notice.emit("handover", message))
        self.window.settings_requested.connect(self.open_settings)
        self.window.closing.connect(self.shutdown)
        self.dictation = dictation(self) if dictation is not None else None
        if self.dictation is not None:
            self.window.input_panel.set_dictation_widget(self.dictation)
            hotkey = getattr(self.dictation, "hotkey", None)
            if hotkey is not None:
                self.window.extra_shortcuts.append(
                    (self.tr("口述：开始/停止（按住说话模式下按住）"), str(hotkey.text)))
        self._stopped = False

    def start(self, *, show: bool = True) -> bool:
        """Start listening, open the stores, probe the box, show the window.

        False when another panel of this user already listens (nothing else is started).
        """
        if not self.channel.listen():
            return False
        self.session.open_storage()
        self.drafts.warm_up(self.catalog.engine_template(self.session.inputs.template))
        self.monitor.start()
        self.window.dock()
        if show:
            self.window.show()
        return True

    def accept_handover(self, handover: Handover) -> None:
        self.session.apply_handover(handover)

    def open_settings(self) -> None:
        from desktop.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self.window)
        dialog.applied.connect(self.settings_changed)
        dialog.open()

    def settings_changed(self, changed: set[str]) -> None:
        """Apply what can change while running: the box, the dock side, on-top."""
        if changed & BOX_KEYS:
            self.drafts.set_model(self._model_drafter(self.settings))
            self.monitor.start()

    def shutdown(self) -> None:
        """Stop every worker and timer; the journal writes what is pending."""
        if self._stopped:
            return
        self._stopped = True
        if self.dictation is not None and hasattr(self.dictation, "shutdown"):
            self.dictation.shutdown()
        self.window.input_panel.shutdown()
        self.reminders.stop()
        self.monitor.stop()
        self.session.close()
        self.channel.close()
        app = QApplication.instance()
        if app is not None:
            i18n.uninstall(app, self.translators)


def _model_drafter(settings: Settings) -> Drafter | None:
    drafter = make_drafter(settings, stream=True)
    return drafter if drafter.client is not None else None


def _probe_client(settings: Settings) -> InferenceClient | None:
    config = client_config(settings)
    return InferenceClient(config) if config is not None else None


def run_panel(handover: bytes | None = None, argv: Sequence[str] = ()) -> int:
    """Run the panel until it is closed; the process's exit code."""
    app = make_application(argv)
    panel = Panel(dictation=_default_dictation)
    if not panel.start(show=False):
        panel.shutdown()
        if handover is None:
            log.info("a panel is already running for this user")
            return 0
        try:
            send_handover(handover)
        except (PanelNotRunning, HandoverRefused) as exc:
            sys.stderr.write(f"sentinel: {exc}\n")
            return exc.exit_code
        return 0
    if handover is not None:
        panel.session.apply_handover_bytes(handover)
    panel.window.show()
    code = app.exec()
    panel.shutdown()
    return int(code)


def _default_dictation(panel: Panel) -> QWidget | None:
    """The dictation widget, wired to the panel's text box (None: no dictation support)."""
    try:
        from desktop.dictation_bridge import dictation_for
    except ImportError as exc:
        log.warning("dictation unavailable: %s", exc)
        return None
    return dictation_for(panel)
