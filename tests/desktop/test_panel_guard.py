"""The guard every panel test runs under really sees leaks and warnings."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QTimer, qWarning

from desktop.workers import Runner
from tests.desktop.conftest import QtGuard, _active_timers, _python_threads, guard_problems


def test_the_guard_sees_a_qt_warning(qapp: Any, qt_guard: QtGuard) -> None:
    qWarning("QObject::connect: something went wrong")
    assert qt_guard.unexpected() == ["QObject::connect: something went wrong"]
    qt_guard.messages.clear()  # seen: this test's own warning must not fail it


def test_the_guard_sees_a_running_timer_thread_and_pool(qapp: Any) -> None:
    threads, timers = _python_threads(), set(map(id, _active_timers()))
    timer = QTimer()
    timer.setObjectName("forgotten")
    timer.start(10_000)
    release = threading.Event()
    thread = threading.Thread(target=release.wait, name="forgotten-thread")
    thread.start()
    runner = Runner("forgotten-pool")
    job_started = threading.Event()
    runner.submit(lambda job: (job_started.set(), release.wait()))
    job_started.wait(10)

    problems = " | ".join(guard_problems(QtGuard(), threads, timers))
    assert "forgotten" in problems and "forgotten-thread" in problems
    assert "forgotten-pool" in problems

    timer.stop()
    release.set()
    thread.join()
    runner.shutdown()
    assert guard_problems(QtGuard(), threads, timers) == []


def test_platform_noise_is_not_a_problem() -> None:
    guard = QtGuard()
    guard.messages.append("This plugin does not support propagateSizeHints()")
    assert guard.unexpected() == []
