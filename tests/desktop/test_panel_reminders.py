"""日程提醒: timers the doctor starts survive a restart and are announced when due."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.reminders import ReminderBook, chime_file
from tests.desktop.conftest import wait_for_draft

pytestmark = pytest.mark.gui

ACS_TEXT = "持续左胸痛3小时 压榨样 冷汗 气促"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_a_book_keeps_its_reminders_across_restarts(qapp: Any, qtbot: Any,
                                                    tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 12, 3, 14, 0))
    path = tmp_path / "reminders.json"
    book = ReminderBook(path, clock=clock)
    armed = book.arm("case-1", "复查高敏肌钙蛋白（0h/1h）", clock.now + timedelta(hours=1))
    again = book.arm("case-1", "复查高敏肌钙蛋白（0h/1h）", clock.now + timedelta(hours=2))
    assert again.reminder_id == armed.reminder_id  # re-timed, not doubled
    book.stop()

    restarted = ReminderBook(path, clock=clock)
    assert [(r.label, r.due_at) for r in restarted.pending()] == \
        [("复查高敏肌钙蛋白（0h/1h）", datetime(2026, 12, 3, 16, 0))]
    clock.now += timedelta(hours=2, seconds=1)
    with qtbot.waitSignal(restarted.due, timeout=5000) as fired:
        restarted.check()
    assert fired.args[0].label == "复查高敏肌钙蛋白（0h/1h）"
    assert restarted.pending() == []
    restarted.stop()


def test_a_damaged_file_starts_empty(qapp: Any, tmp_path: Path) -> None:
    path = tmp_path / "reminders.json"
    path.write_text("[{\"reminder_id\": 1}", "utf-8")
    book = ReminderBook(path)
    assert book.all() == []
    book.stop()


def test_the_panel_restores_and_announces_reminders(make_panel: Any, qtbot: Any,
                                                    sentinel_home: Path, qt_guard: Any) -> None:
    # This machine has no sound server; QtMultimedia says so when asked for a device.
    qt_guard.allow("PulseAudioService: pa_context_connect() failed")
    clock = Clock(datetime.now())
    first = make_panel(clock=clock)
    first.window.input_panel.text.setPlainText(ACS_TEXT)
    draft = wait_for_draft(qtbot, first, ACS_TEXT)
    assert draft.content.reminders, "the ACS draft has reminders to start"
    row = first.window.assessment.reminders_box.itemAt(0).widget()
    start = next(b for b in row.findChildren(QPushButton) if b.text() == "开始计时")
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)

    pending = first.reminders.pending(first.session.case_id)
    assert [r.label for r in pending] == [draft.content.reminders[0].text]
    qtbot.waitUntil(lambda: "已计时" in _row_text(first))
    assert "还剩" in _row_text(first)
    stored = (sentinel_home / "panel" / "reminders.json").read_text("utf-8")
    for words in ("冷汗", "气促", "压榨"):
        assert words not in stored  # the file holds timing and the rules' label only
    case_id = first.session.case_id
    first.window.close()

    clock.now += timedelta(hours=3)
    second = make_panel(clock=clock)
    qtbot.waitUntil(lambda: second.window.reminder_banner.isVisible(), timeout=10_000)
    assert "提醒到时" in second.window.reminder_banner.text()
    assert draft.content.reminders[0].text in second.window.reminder_banner.text()
    assert second.reminders.pending(case_id) == []
    assert any(draft.content.reminders[0].text in m for m in second.window.announcer.announced)
    assert json.loads((sentinel_home / "panel" / "reminders.json").read_text("utf-8"))[0][
        "announced"] is True

    qtbot.mouseClick(second.window.reminder_banner.dismiss, Qt.MouseButton.LeftButton)
    assert second.reminders.all() == []


def test_the_chime_is_a_real_wav(sentinel_home: Path) -> None:
    import wave

    with wave.open(str(chime_file())) as chime:
        assert (chime.getnchannels(), chime.getsampwidth()) == (1, 2)
        assert 0.3 < chime.getnframes() / chime.getframerate() < 1.0


def _row_text(panel: Any) -> str:
    from PySide6.QtWidgets import QLabel

    row = panel.window.assessment.reminders_box.itemAt(0).widget()
    return row.findChildren(QLabel)[0].text()
