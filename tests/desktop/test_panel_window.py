"""The window: docked to an edge, remembers side, width and screen, on top, compact, keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication

from desktop.docking import COMPACT_WIDTH, DEFAULT_WIDTH, MIN_WIDTH, dock_rect
from engine.settings import Settings

pytestmark = pytest.mark.gui


def screen(name: str) -> Any:
    return next(s for s in QGuiApplication.screens() if s.name() == name)


def test_the_dock_rectangle() -> None:
    area = QRect(0, 0, 1920, 1040)  # above a 40 px task bar
    assert dock_rect(area, "right", 460) == QRect(1460, 0, 460, 1040)
    assert dock_rect(area, "left", 460) == QRect(0, 0, 460, 1040)
    assert dock_rect(area, "left", 100).width() == MIN_WIDTH
    assert dock_rect(area, "right", 1900).width() == 960  # the HIS keeps half the screen
    assert dock_rect(QRect(1920, 0, 1920, 1080), "right", 400).left() == 3440


def test_it_docks_right_by_default_at_full_height(make_panel: Any) -> None:
    window = make_panel().window
    assert window.geometry() == QRect(1920 - DEFAULT_WIDTH, 0, DEFAULT_WIDTH, 1080)
    assert window.screen().name() == "HIS-1"


def test_side_width_and_screen_are_remembered(make_panel: Any, qtbot: Any,
                                              sentinel_home: Path) -> None:
    first = make_panel()
    first.window.actions_by_name["dock_left"].trigger()
    assert first.window.geometry().left() == 0
    assert Settings.load(sentinel_home).get("dock_side") == "left"

    first.window.setGeometry(1920, 0, 520, 1080)  # the doctor drags it to the second screen
    qtbot.waitUntil(lambda: first.window.placement.screen == "HIS-2")
    first.window.resize(520, 1080)
    qtbot.waitUntil(lambda: first.window.placement.width == 520)
    first.window.close()

    second = make_panel()
    assert second.window.screen().name() == "HIS-2"
    assert second.window.geometry() == QRect(1920, 0, 520, 1080)


def test_a_missing_screen_falls_back_to_the_primary(make_panel: Any,
                                                    sentinel_home: Path) -> None:
    ini = sentinel_home / "panel" / "panel.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text("[dock]\nwidth=480\nscreen=PROJECTOR\ncompact=false\n", "utf-8")
    window = make_panel().window
    assert window.screen().name() == "HIS-1"
    assert window.geometry() == QRect(1920 - 480, 0, 480, 1080)


def test_compact_mode(make_panel: Any, qtbot: Any) -> None:
    first = make_panel()
    window = first.window
    window.actions_by_name["compact"].trigger()
    assert window.width() == COMPACT_WIDTH
    assert window.input_panel.structured.isVisible() is False
    assert window.input_panel.text.isVisible() is True
    window.close()

    second = make_panel()
    assert second.window.placement.compact is True
    assert second.window.width() == COMPACT_WIDTH
    second.window.actions_by_name["compact"].trigger()
    assert second.window.width() == DEFAULT_WIDTH
    assert second.window.input_panel.structured.isVisible() is True


def test_always_on_top_toggles_and_is_saved(make_panel: Any, sentinel_home: Path) -> None:
    window = make_panel().window
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    window.actions_by_name["on_top"].trigger()
    assert not window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert window.isVisible()
    assert Settings.load(sentinel_home).get("always_on_top") is False


def test_policy_can_fix_the_side(make_panel: Any, tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text(json.dumps({"dock_side": "left"}), "utf-8")
    window = make_panel().window
    assert window.geometry().left() == 0
    assert window.actions_by_name["dock_right"].isEnabled() is False
    window.dock_to("right")
    assert window.geometry().left() == 0


def test_the_help_lists_every_shortcut(make_panel: Any, qtbot: Any) -> None:
    window = make_panel().window
    help_dialog = window.help_dialog()
    qtbot.addWidget(help_dialog)
    rows = dict(help_dialog.rows())
    assert len(rows) == len(window.actions_by_name)
    assert rows["复制全部病史"] == "Ctrl+Shift+C"
    assert rows["快捷键帮助"] == "F1"
    assert all(keys for keys in rows.values())


def test_keyboard_shortcuts_work(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    window = panel.window
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is not None)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.input_panel.text.hasFocus()
    qtbot.keyClicks(window.input_panel.text, "HR 120")  # ASCII only: see FACTS.md
    qtbot.waitUntil(lambda: panel.session.inputs.text == "HR 120")


def test_the_interface_speaks_english_when_set(make_panel: Any, sentinel_home: Path) -> None:
    Settings.load(sentinel_home).set_user("language", "en")
    window = make_panel().window
    assert window.windowTitle() == "ED Sentinel · Decision support"
    assert [window.tabs.tabText(i) for i in range(2)] == ["Risk assessment", "History draft"]
    assert window.draft_view.copy_all.text() == "Copy whole history"
    assert window.actions_by_name["help"].text() == "Keyboard shortcuts"
