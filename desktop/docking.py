"""Where the panel sits: along the left or right edge of one screen, beside the HIS window.

The side is a setting (`dock_side`, which IT may fix by policy). The width, the screen and the
compact mode are the doctor's and are remembered in `panel/panel.ini` in the data folder
(window geometry only: never patient text). The panel takes the screen's full available height
(above the task bar), so the HIS keeps the rest of the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRect, QSettings
from PySide6.QtGui import QGuiApplication, QScreen

from engine.home import sub_folder

DEFAULT_WIDTH = 460
COMPACT_WIDTH = 360
MIN_WIDTH = 300
# The panel never takes more than this share of a screen: the HIS needs the rest.
MAX_SHARE = 0.5


@dataclass(frozen=True)
class Placement:
    side: str  # "left" | "right"
    width: int
    screen: str  # the screen's name; "" for the primary screen
    compact: bool = False


def dock_rect(available: QRect, side: str, width: int) -> QRect:
    """The panel's rectangle on a screen's available area."""
    width = max(MIN_WIDTH, min(width, int(available.width() * MAX_SHARE)))
    left = available.left() if side == "left" else available.right() - width + 1
    return QRect(left, available.top(), width, available.height())


def find_screen(name: str) -> QScreen:
    """The screen of that name, or the primary screen when it is gone (a laptop undocked)."""
    for screen in QGuiApplication.screens():
        if screen.name() == name:
            return screen
    primary = QGuiApplication.primaryScreen()
    assert primary is not None, "Qt has no screen"
    return primary


class PlacementStore:
    """The remembered width, screen and compact mode (the side comes from the settings)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or sub_folder("panel") / "panel.ini"
        self._ini = QSettings(str(self.path), QSettings.Format.IniFormat)

    def load(self, side: str) -> Placement:
        width = _as_int(self._ini.value("dock/width"), DEFAULT_WIDTH)
        screen = self._ini.value("dock/screen", "")
        compact = str(self._ini.value("dock/compact", "false")).lower() == "true"
        return Placement(side, width, screen if isinstance(screen, str) else "", compact)

    def save(self, placement: Placement) -> None:
        self._ini.setValue("dock/width", placement.width)
        self._ini.setValue("dock/screen", placement.screen)
        self._ini.setValue("dock/compact", "true" if placement.compact else "false")
        self._ini.sync()


def _as_int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default
