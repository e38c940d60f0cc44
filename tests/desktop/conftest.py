"""Fixtures for the panel's tests: real Qt offscreen on two 1920x1080 screens, a guard that
fails a test on a leaked thread or timer and on any Qt warning, and a panel to drive.

The screens come from the offscreen platform's configuration file (set before the
QApplication exists): "HIS-1" at the left, "HIS-2" to its right, so docking and "remembers its
screen" are tested on real screen geometry.
"""

from __future__ import annotations

import gc
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SCREENS = [
    {"name": "HIS-1", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96,
     "logicalBaseDpi": 96, "dpr": 1},
    {"name": "HIS-2", "x": 1920, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96,
     "logicalBaseDpi": 96, "dpr": 1},
]
# Warnings the offscreen platform prints by itself, whatever the application does.
PLATFORM_NOISE = (
    "This plugin does not support propagateSizeHints()",  # offscreen windows have no WM
    "This plugin does not support raise()",
    "Couldn't load pipewire-0.3 library",  # QtMultimedia probing for a sound server
    "Couldn't resolve pipewire-0.3 symbols",
)


def _offscreen_environment() -> None:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith("offscreen:configfile="):
        return
    folder = Path(tempfile.mkdtemp(prefix="sentinel-qt-"))
    config = folder / "screens.json"
    config.write_text(json.dumps({"windowFrameMargins": False, "screens": SCREENS}), "utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    os.environ.setdefault("QT_QUICK_BACKEND", "software")


_offscreen_environment()


# -- the guard --------------------------------------------------------------------------------

class QtGuard:
    """Collects Qt warnings; checks threads and timers at the end of a test."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.allowed: list[str] = list(PLATFORM_NOISE)
        self.handler: Callable[..., None] | None = None

    def allow(self, text: str) -> None:
        """Accept a warning that the test provokes on purpose."""
        self.allowed.append(text)

    def unexpected(self) -> list[str]:
        return [m for m in self.messages if not any(a in m for a in self.allowed)]


def _python_threads() -> set[threading.Thread]:
    # Qt's pool threads show up as _DummyThread once they ran Python code; they are Qt's to
    # reap and are checked through the runners below.
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)}


def _active_timers() -> list[Any]:
    import shiboken6
    from PySide6.QtCore import QTimer

    return [obj for obj in gc.get_objects()
            if isinstance(obj, QTimer) and shiboken6.isValid(obj) and obj.isActive()]


def guard_problems(guard: QtGuard, threads_before: set[threading.Thread],
                   timers_before: set[int]) -> list[str]:
    """What is wrong at the end of a test: Qt warnings, live threads, busy pools, timers."""
    from desktop.workers import live_runners

    problems = []
    unexpected = guard.unexpected()
    if unexpected:
        problems.append(f"Qt warnings: {unexpected}")
    leaked = [t.name for t in _python_threads() - threads_before if t.is_alive()]
    if leaked:
        problems.append(f"threads still running: {leaked}")
    busy = [runner.name for runner in live_runners() if runner.active_threads()]
    if busy:
        problems.append(f"worker pools still busy: {busy}")
    timers = [t for t in _active_timers() if id(t) not in timers_before]
    if timers:
        problems.append(f"timers still active: {[t.objectName() or t.parent() for t in timers]}")
    return problems


@pytest.fixture
def qt_guard(qapp: Any) -> Iterator[QtGuard]:
    """Fail the test on Qt warnings, and on threads or timers still running at its end."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    guard = QtGuard()
    threads_before = _python_threads()
    timers_before = set(map(id, _active_timers()))
    previous: list[Callable[..., None] | None] = [None]

    def handler(kind: QtMsgType, context: Any, message: str) -> None:
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            guard.messages.append(message)
        if previous[0] is not None:
            previous[0](kind, context, message)

    previous[0] = qInstallMessageHandler(handler)
    guard.handler = handler
    yield guard

    qapp.processEvents()
    qInstallMessageHandler(previous[0])
    problems = guard_problems(guard, threads_before, timers_before)
    if problems:
        pytest.fail("; ".join(problems))


@pytest.fixture(autouse=True)
def _guard_panel_tests(request: pytest.FixtureRequest) -> None:
    """Every test of the panel (tests/desktop/test_panel*.py) runs under the guard."""
    if request.node.module.__name__.split(".")[-1].startswith("test_panel") \
            and "qapp" in request.fixturenames:
        request.getfixturevalue("qt_guard")


# -- the panel --------------------------------------------------------------------------------

@pytest.fixture
def styled_app(qapp: Any) -> Any:
    from desktop.app import style

    style(qapp)
    return qapp


@pytest.fixture
def make_panel(styled_app: Any, qtbot: Any, sentinel_home: Path,
               request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Build (and at the end shut down) real panels; keyword arguments go to `Panel`."""
    from desktop.app import Panel

    made: list[Any] = []

    def build(*, start: bool = True, **options: Any) -> Any:
        options.setdefault("channel_name", f"sentinel-test-{os.getpid()}-{len(made)}-"
                                           f"{abs(hash(request.node.nodeid)) % 10**8}")
        options.setdefault("rules_delay_ms", 10)
        options.setdefault("model_delay_ms", 30)
        panel = Panel(home=sentinel_home, **options)
        made.append(panel)
        qtbot.addWidget(panel.window)
        if start:
            assert panel.start()
            qtbot.waitUntil(lambda: panel.session.journal is not None, timeout=15_000)
        return panel

    yield build
    for panel in made:
        panel.window.close()
        panel.shutdown()


def wait_for_draft(qtbot: Any, panel: Any, contains: str = "", timeout: int = 15_000) -> Any:
    """Wait until the panel shows a draft made from text that contains `contains` (all of
    it: the risk picture fills in over a few turns of the event loop)."""
    qtbot.waitUntil(lambda: panel.session.draft is not None
                    and contains in panel.session.draft_text
                    and panel.window.assessment.settled(), timeout=timeout)
    return panel.session.draft
