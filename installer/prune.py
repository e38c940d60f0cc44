"""Remove what the workstation never runs from the unpacked Windows wheels.

PySide6-Essentials and -Addons bring all of Qt: QML, Quick, 3D, WebView, charts, designer tools,
type stubs and headers. The panel needs widgets, SVG icons, the network stack and QtMultimedia
(the microphone). We keep the Python modules of those, the plugins they load at run time, and
then exactly the DLLs that those files import, directly or through each other.
"""

from __future__ import annotations

import fnmatch
import logging
import shutil
from pathlib import Path

from installer.binaries import file_kind, read_pe

log = logging.getLogger(__name__)

QT_MODULES = (
    "QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtMultimedia", "QtMultimediaWidgets",
    "QtSvg", "QtSvgWidgets", "QtPrintSupport", "QtConcurrent",
)

# Loaded by Qt at run time, so no import table names them: keep them by name.
QT_PLUGINS = (
    "platforms/qwindows.dll",
    "platforms/qoffscreen.dll",  # lets IT run the panel headless when diagnosing
    "styles/*",
    "iconengines/qsvgicon.dll",
    "imageformats/q[!p]*.dll",  # all but qpdf, which needs Qt PDF
    "multimedia/*",
    "tls/qschannelbackend.dll",
    "tls/qcertonlybackend.dll",
    "networkinformation/*",
    "generic/*",  # touch screens
)

# Interface translations kept for the app's two languages.
QT_TRANSLATIONS = ("qt_zh_CN.qm", "qtbase_zh_CN.qm", "qtmultimedia_zh_CN.qm",
                   "qt_en.qm", "qtbase_en.qm", "qtmultimedia_en.qm")

# Build-time material: headers, bindings' type systems, QML, tools' data, Chromium's ICU data.
QT_FOLDERS_DROPPED = ("include", "typesystems", "metatypes", "qml", "doc", "glue", "lib",
                      "resources", "scripts")

# Whole distributions nobody imports at run time. pip comes in only for sqlite-utils'
# `install` sub-command and carries 32-bit and ARM launchers.
DROPPED_DISTRIBUTIONS = ("pip",)

# Data no code path of ours can reach: jieba's Paddle model serves only `enable_paddle()`,
# which needs paddlepaddle (never installed).
UNREACHABLE_DATA = ("jieba/lac_small",)


def prune_site_packages(site: Path) -> int:
    """Prune the unpacked wheels in place; the number of bytes removed."""
    before = _size(site)
    _remove(site / "bin")  # console-script launchers; the app runs as `python -m`
    for name in DROPPED_DISTRIBUTIONS:
        _drop_distribution(site, name)
    for tests in [p for p in site.glob("numpy/**/tests") if p.is_dir()]:
        _remove(tests)
    # C headers and import libraries (only for compiling against a package), unreachable data.
    for unused in ("shiboken6/include", "numpy/_core/include", *UNREACHABLE_DATA):
        _remove(site / unused)
    for import_library in site.rglob("*.lib"):
        import_library.unlink()
    for cache in [p for p in site.rglob("__pycache__") if p.is_dir()]:
        _remove(cache)

    qt = site / "PySide6"
    if qt.is_dir():
        prune_qt(qt)
    removed = before - _size(site)
    log.info("pruned %.1f MiB from the Windows wheels", removed / 2**20)
    return removed


def prune_qt(qt: Path) -> None:
    """Keep the Qt modules, plugins and translations above, and the DLLs they need."""
    for name in QT_FOLDERS_DROPPED:
        _remove(qt / name)
    for path in list(qt.rglob("*.pyi")) + list(qt.glob("*.exe")) + list(qt.glob("*.lib")):
        path.unlink()

    for module in qt.glob("Qt*.pyd"):
        if module.stem.split(".")[0] not in QT_MODULES:
            module.unlink()
    for companion in qt.glob("Qt*"):
        # Python-side helpers of dropped modules (QtAsyncio stays: it is plain Python).
        if companion.is_dir() and companion.name != "QtAsyncio":
            _remove(companion)

    _prune_plugins(qt / "plugins")
    _prune_translations(qt / "translations")
    _drop_unneeded_dlls(qt)


def _prune_plugins(plugins: Path) -> None:
    for plugin in [p for p in plugins.rglob("*") if p.is_file()]:
        relative = plugin.relative_to(plugins).as_posix()
        if not any(fnmatch.fnmatch(relative, pattern) for pattern in QT_PLUGINS):
            plugin.unlink()
    for folder in sorted(plugins.iterdir()):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _prune_translations(translations: Path) -> None:
    for path in translations.glob("*"):
        if path.name not in QT_TRANSLATIONS:
            _remove(path)  # PySide6 6.11 ships a qtwebengine_locales folder here


def _drop_unneeded_dlls(qt: Path) -> None:
    """Delete the DLLs at PySide6's top level that no kept binary imports, even indirectly."""
    top_level = {dll.name.lower(): dll for dll in qt.glob("*.dll")}
    roots = [p for p in qt.rglob("*") if p.suffix in (".pyd", ".dll") and p.parent != qt]
    roots += list(qt.glob("*.pyd"))
    needed: set[str] = {"pyside6.abi3.dll"}
    queue = [*roots, top_level["pyside6.abi3.dll"]]
    while queue:
        binary = queue.pop()
        if file_kind(binary) != "pe":
            continue
        for name in read_pe(binary).imports:
            if name in top_level and name not in needed:
                needed.add(name)
                queue.append(top_level[name])

    for name, dll in top_level.items():
        if name not in needed:
            dll.unlink()


def _drop_distribution(site: Path, name: str) -> None:
    _remove(site / name)
    for info in site.glob(f"{name}-*.dist-info"):
        _remove(info)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
