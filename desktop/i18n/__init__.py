"""The panel's languages: Chinese (the source strings) by default, English as a setting.

Every string of the interface is written in Chinese in the code (`self.tr("...")`,
`QT_TRANSLATE_NOOP`); `sentinel_en.ts` holds the English translations and is compiled to
`sentinel_en.qm` with Qt's `pyside6-lrelease` (`python -m desktop.i18n` refreshes both: it runs
`pyside6-lupdate` over desktop/ and then `pyside6-lrelease`). Qt's own strings (standard
buttons) come from the Qt translations shipped with PySide6.

The record itself stays Chinese in both languages: it is pasted into a Chinese HIS.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "en")
CATALOGUE = "sentinel"


def folder() -> Path:
    return Path(str(resources.files("desktop.i18n")))


def install(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the translators of `language` into `app`; they must be kept alive."""
    if language not in LANGUAGES:
        log.warning("unknown interface language %r; using Chinese", language)
        language = "zh_CN"
    installed = []
    qt_translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{language}", qt_translations):
        app.installTranslator(qt_own)
        installed.append(qt_own)
    if language != "zh_CN":
        ours = QTranslator(app)
        if not ours.load(f"{CATALOGUE}_{language}", str(folder())):
            log.error("the %s translation is missing from %s", language, folder())
        else:
            app.installTranslator(ours)
            installed.append(ours)
    QLocale.setDefault(QLocale(language))
    return installed


def uninstall(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
