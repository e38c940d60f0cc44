"""How the panel looks: fonts large enough to read at arm's length, calm colours, clear badges.

Sizes are in points, so they follow the screen's DPI; Qt 6 scales every widget on high-DPI
screens (the rounding policy is set to pass-through in `desktop.app`, so 150% is 150%, sharp).
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QFont, QFontDatabase

BASE_POINT_SIZE = 12
SMALL_POINT_SIZE = 10
# Chinese UI fonts in the order they are found on hospital Windows machines, then Linux.
FONT_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
                 "WenQuanYi Micro Hei", "Source Han Sans SC")

RISK_COLOURS = {
    "高危": ("#b71c1c", "#ffffff"),
    "中危": ("#e65100", "#ffffff"),
    "低危": ("#1b5e20", "#ffffff"),
}
UNKNOWN_RISK = ("#607d8b", "#ffffff")

STYLE_SHEET = """
QWidget { color: #1c2430; }
QMainWindow, #panelRoot { background: #f4f6f9; }
QLabel#sectionTitle { font-weight: 600; color: #0d47a1; padding-top: 6px; }
QLabel#label { color: #455a64; }
QLabel#decisionSupport { color: #5d4037; background: #fff8e1; border: 1px solid #ffe082;
    border-radius: 4px; padding: 2px 6px; }
QLabel#connection { padding: 2px 6px; border-radius: 4px; }
QLabel#connection[state="ok"] { color: #1b5e20; background: #e8f5e9; }
QLabel#connection[state="down"] { color: #b71c1c; background: #ffebee; }
QLabel#connection[state="none"] { color: #37474f; background: #eceff1; }
QLabel#connection[state="busy"] { color: #0d47a1; background: #e3f2fd; }
QFrame#banner { border-radius: 6px; padding: 4px; }
QFrame#banner[kind="warning"] { background: #fff3e0; border: 1px solid #ffb74d; }
QFrame#banner[kind="error"] { background: #ffebee; border: 1px solid #e57373; }
QFrame#banner[kind="info"] { background: #e3f2fd; border: 1px solid #64b5f6; }
QFrame#banner[kind="reminder"] { background: #fce4ec; border: 2px solid #d81b60; }
QFrame#card { background: #ffffff; border: 1px solid #d5dbe3; border-radius: 6px; }
QPlainTextEdit, QLineEdit, QComboBox {
    background: #ffffff; border: 1px solid #b0bec5; border-radius: 4px; padding: 3px; }
QPlainTextEdit:focus, QLineEdit:focus, QComboBox:focus {
    border: 2px solid #1565c0; }
QPushButton { background: #ffffff; border: 1px solid #90a4ae; border-radius: 4px;
    padding: 4px 10px; }
QPushButton:hover { background: #e3f2fd; }
QPushButton:focus { border: 2px solid #1565c0; }
QPushButton:checked { background: #bbdefb; border: 1px solid #1565c0; }
QPushButton#primary { background: #1565c0; color: #ffffff; border: 1px solid #0d47a1;
    font-weight: 600; }
QPushButton#primary:hover { background: #1976d2; }
QLabel#question { background: #f1f8e9; border: 1px solid #aed581; border-radius: 4px;
    padding: 4px 8px; }
QLabel#question:hover { background: #dcedc8; }
QLabel#question:focus { border: 2px solid #1565c0; }
QToolButton { border: 1px solid transparent; border-radius: 4px; padding: 3px; }
QToolButton:hover { background: #e3f2fd; border: 1px solid #90caf9; }
QToolButton:checked { background: #bbdefb; border: 1px solid #1565c0; }
QLabel#chip { border-radius: 10px; padding: 2px 8px; }
QLabel#chip[tone="present"] { background: #e3f2fd; color: #0d47a1; border: 1px solid #90caf9; }
QLabel#chip[tone="absent"] { background: #eceff1; color: #546e7a; border: 1px solid #cfd8dc; }
QLabel#chip[tone="detail"] { background: #ede7f6; color: #4527a0; border: 1px solid #b39ddb; }
QLabel#chip[tone="number"] { background: #e0f2f1; color: #004d40; border: 1px solid #80cbc4; }
QLabel#chip[tone="history"] { background: #fff3e0; color: #bf360c; border: 1px solid #ffcc80; }
QLabel#chip[tone="selected"] { background: #ffeb3b; color: #1c2430; border: 2px solid #f9a825; }
QLabel#citation { color: #455a64; font-size: %(small)dpt; }
QLabel#warning { color: #bf360c; }
QTabWidget::pane { border: 1px solid #d5dbe3; border-radius: 4px; background: #ffffff; }
QTabBar::tab { padding: 6px 14px; }
QTabBar::tab:selected { font-weight: 600; color: #0d47a1; }
QScrollArea { border: none; background: transparent; }
"""


def ui_font(point_size: int = BASE_POINT_SIZE) -> QFont:
    """The first installed Chinese UI font at `point_size`."""
    installed = set(QFontDatabase.families())
    font = QFont()
    for family in FONT_FAMILIES:
        if family in installed:
            font.setFamilies([family, *FONT_FAMILIES])
            break
    font.setPointSize(point_size)
    if sys.platform == "win32":
        font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    return font


def style_sheet() -> str:
    return STYLE_SHEET % {"small": SMALL_POINT_SIZE}


def risk_colours(level: str | None) -> tuple[str, str]:
    return RISK_COLOURS.get(level or "", UNKNOWN_RISK)
