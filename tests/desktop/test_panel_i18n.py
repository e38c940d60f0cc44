"""The English catalogue: complete, in step with the code, and compiled from its .ts."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTranslator

from desktop.i18n import __main__ as catalogue
from desktop.i18n import folder


def messages(ts: Path) -> set[tuple[str, str]]:
    root = ET.parse(ts).getroot()
    return {(context.findtext("name") or "", message.findtext("source") or "")
            for context in root.iter("context") for message in context.iter("message")}


def test_every_string_has_an_english_translation() -> None:
    assert catalogue.unfinished() == []
    assert len(messages(catalogue.TS)) > 150


def test_the_catalogue_matches_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "sentinel_en.ts"
    shutil.copy(catalogue.TS, fresh)
    catalogue.update(fresh)  # what `python -m desktop.i18n` would write now
    assert messages(fresh) == messages(catalogue.TS)
    assert catalogue.unfinished(fresh) == [], "strings in the code lack a translation"


def test_the_qm_is_compiled_from_the_ts(tmp_path: Path) -> None:
    compiled = tmp_path / "sentinel_en.qm"
    catalogue.release(catalogue.TS, compiled)
    assert compiled.read_bytes() == catalogue.QM.read_bytes()


def test_the_translator_speaks_english(qapp: Any) -> None:
    translator = QTranslator()
    assert translator.load("sentinel_en", str(folder()))
    assert translator.translate("PanelWindow", "新病例") == "New case"
    assert translator.translate("ConnectionMonitor", "推理服务器已连接") == \
        "Inference box connected"
