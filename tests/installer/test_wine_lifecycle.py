"""Install, configure, upgrade, downgrade and remove the real MSI with msiexec under Wine.

One Wine prefix goes through the life of a workstation, in order: silent install with settings,
the installed Python reading them (and IT's policy over them), an upgrade that keeps them, a
refused downgrade, and an uninstall that leaves nothing behind but the user's own data folder.
Each step's observations are recorded once, and the tests below check them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import pytest

from installer.payload import read_manifest
from tests.installer.conftest import Built
from tests.installer.wine import ERROR_INSTALL_FAILURE, INSTALL_DIR, Wine, add_process_prng

# The first test also pays for both builds and the whole lifecycle (a few minutes).
pytestmark = [pytest.mark.slow, pytest.mark.wine, pytest.mark.timeout(1200)]

INSTALLER_KEY = r"HKLM\SOFTWARE\ED Sentinel"
POLICY_KEY = r"HKLM\SOFTWARE\Policies\ED Sentinel"
UNINSTALL_KEY = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
FIRST_INSTALL = {
    # Brackets too: the MSI must not read "[fd00::5]" as a property reference.
    "INFERENCE_URL": "https://llm-a.hospital.local:8443;https://[fd00::5]:8443",
    "CA_BUNDLE": r"C:\ProgramData\Hospital\ca.pem",
    "KB_SOURCE": r"\\files.hospital.local\ed-sentinel\kb",
    "KB_PUBLIC_KEY": "3b" * 32,
    "ROLE": "department_lead",
    "LANGUAGE": "zh_CN",
}
# Modules that must import on the installed runtime. Wine 8 cannot load numpy 2.4 (ucrtbase
# lacks crealf) nor Qt 6.12 (no icuuc.dll): those need a real Windows machine.
MODULES = ("engine.settings", "engine.home", "engine.logs", "engine.errors",
           "engine.drafting.model", "prompts", "keyring", "httpx", "jieba", "pypinyin", "vosk",
           "cryptography.hazmat.primitives.asymmetric.ed25519", "docx", "pypdf", "bs4")
# Imported too when the build had them (other parts of the app, written alongside).
OPTIONAL_MODULES = ("engine.scores", "engine.findings", "engine.client")

PROBE = """
import importlib, json, keyring
from engine.home import sentinel_home
from engine.settings import Settings
settings = Settings.load()
keys = ("inference_urls", "ca_bundle", "kb_source", "kb_public_key", "role",
        "vosk_model_dir", "language", "tls_verify", "retention_hours")
result = {"settings": {key: [settings.get(key), settings.origin(key)] for key in keys}}
result["home"] = str(sentinel_home())
result["imported"] = [name for name in MODULES if importlib.import_module(name)]
import prompts
result["cards"] = prompts.card_ids()
keyring.set_password("ed-sentinel", "box:llm-a.hospital.local:8443", "key-from-the-test")
result["keyring"] = [type(keyring.get_keyring()).__name__,
                     keyring.get_password("ed-sentinel", "box:llm-a.hospital.local:8443")]
keyring.delete_password("ed-sentinel", "box:llm-a.hospital.local:8443")
print(json.dumps(result))
"""


@dataclass
class Observed:
    """What each step of the lifecycle left behind."""

    exit_codes: dict[str, int] = field(default_factory=dict)
    registry: dict[str, dict[str, tuple[str, str]] | None] = field(default_factory=dict)
    probes: dict[str, dict] = field(default_factory=dict)
    files_before: set[str] = field(default_factory=set)
    files_after: set[str] = field(default_factory=set)
    installed_ok: dict[str, list[str]] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    registry_text_after: str = ""
    shortcut_found: dict[str, bool] = field(default_factory=dict)
    product_registered: dict[str, bool] = field(default_factory=dict)


def probe(wine: Wine, modules: tuple[str, ...]) -> dict:
    code = f"MODULES = {modules!r}\n{PROBE}"
    return json.loads(wine.python(code).strip().splitlines()[-1])


def mismatched_files(wine: Wine, built: Built) -> list[str]:
    """Files of the manifest missing from, or different in, the install folder."""
    root = wine.unix_path(INSTALL_DIR)
    wrong = []
    for relative, digest in read_manifest(built.manifest).items():
        path = root / relative
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            wrong.append(relative)
    return wrong


def shortcut_present(wine: Wine) -> bool:
    # Wine puts per-machine Start-menu items under the user's profile; Windows, in ProgramData.
    return any(path.endswith("Start Menu/Programs/ED Sentinel.lnk") for path in wine.files())


def optional_modules(built: Built) -> tuple[str, ...]:
    files = read_manifest(built.manifest)
    return tuple(name for name in OPTIONAL_MODULES
                 if f"Lib/site-packages/{name.replace('.', '/')}/__init__.py" in files)


@pytest.fixture(scope="module")
def lifecycle(older_msi: Built, newer_msi: Built,
              tmp_path_factory: pytest.TempPathFactory) -> Observed:
    root = tmp_path_factory.mktemp("wine")
    wine = Wine(root / "prefix")
    wine.boot()
    add_process_prng(wine)
    seen = Observed(files_before=wine.files())
    modules = MODULES + optional_modules(older_msi)

    arguments = [f"{name}={value}" for name, value in FIRST_INSTALL.items()]
    seen.exit_codes["install"] = wine.msiexec("/i", str(older_msi.msi), *arguments,
                                              log=root / "install.log")
    seen.registry["install"] = wine.registry(INSTALLER_KEY)
    seen.installed_ok["install"] = mismatched_files(wine, older_msi)
    seen.shortcut_found["install"] = shortcut_present(wine)
    seen.product_registered["install"] = (
        wine.registry(f"{UNINSTALL_KEY}\\{older_msi.product_code}") is not None)
    seen.probes["install"] = probe(wine, modules)
    command_line = wine.run("cmd", "/c", f"{INSTALL_DIR}\\sentinel.cmd", "--version")
    seen.logs["sentinel --version"] = command_line.stdout.strip()

    # IT's policy wins over the installer's value. The ADMX's element types: a list arrives
    # as REG_MULTI_SZ, a choice as REG_SZ, a switch and a number as REG_DWORD.
    wine.reg_add(POLICY_KEY, "role", "REG_SZ", "kb_editor")
    wine.reg_add(POLICY_KEY, "inference_urls", "REG_MULTI_SZ",
                 r"https://policy-box.hospital.local\0https://spare.hospital.local")
    wine.reg_add(POLICY_KEY, "tls_verify", "REG_DWORD", "0")
    wine.reg_add(POLICY_KEY, "retention_hours", "REG_DWORD", "12")
    seen.probes["policy"] = probe(wine, modules)
    wine.run("reg", "delete", POLICY_KEY, "/f", "/reg:64")

    seen.exit_codes["upgrade"] = wine.msiexec("/i", str(newer_msi.msi), "LANGUAGE=en",
                                              log=root / "upgrade.log")
    seen.registry["upgrade"] = wine.registry(INSTALLER_KEY)
    seen.installed_ok["upgrade"] = mismatched_files(wine, newer_msi)
    seen.product_registered["older after upgrade"] = (
        wine.registry(f"{UNINSTALL_KEY}\\{older_msi.product_code}") is not None)
    seen.probes["upgrade"] = probe(wine, MODULES + optional_modules(newer_msi))

    downgrade_log = root / "downgrade.log"
    seen.exit_codes["downgrade"] = wine.msiexec("/i", str(older_msi.msi), log=downgrade_log)
    seen.logs["downgrade"] = downgrade_log.read_bytes().decode("utf-16", "replace") \
        if downgrade_log.read_bytes()[:2] == b"\xff\xfe" else downgrade_log.read_text(
            "utf-8", "replace")
    seen.registry["downgrade"] = wine.registry(INSTALLER_KEY)

    seen.exit_codes["uninstall"] = wine.msiexec("/x", str(newer_msi.msi),
                                                log=root / "uninstall.log")
    seen.registry["uninstall"] = wine.registry(INSTALLER_KEY)
    seen.product_registered["uninstall"] = (
        wine.registry(f"{UNINSTALL_KEY}\\{newer_msi.product_code}") is not None)
    seen.shortcut_found["uninstall"] = shortcut_present(wine)
    seen.files_after = wine.files()
    seen.registry_text_after = wine.registry_text()
    return seen


def test_silent_install_writes_the_settings(lifecycle: Observed, older_msi: Built) -> None:
    assert lifecycle.exit_codes["install"] == 0
    values = lifecycle.registry["install"]
    assert values is not None
    assert values["inference_urls"] == ("REG_SZ", FIRST_INSTALL["INFERENCE_URL"])
    assert values["ca_bundle"] == ("REG_SZ", FIRST_INSTALL["CA_BUNDLE"])
    assert values["kb_source"] == ("REG_SZ", FIRST_INSTALL["KB_SOURCE"])
    assert values["kb_public_key"] == ("REG_SZ", FIRST_INSTALL["KB_PUBLIC_KEY"])
    assert values["role"] == ("REG_SZ", "department_lead")
    assert values["language"] == ("REG_SZ", "zh_CN")
    assert values["version"] == ("REG_SZ", older_msi.version)
    assert "vosk_model_dir" not in values  # not given, and this build has no model


def test_install_lays_down_exactly_the_payload(lifecycle: Observed) -> None:
    assert lifecycle.installed_ok["install"] == []
    assert lifecycle.shortcut_found["install"]
    assert lifecycle.product_registered["install"]


def test_installed_python_reads_the_installers_settings(lifecycle: Observed) -> None:
    found = lifecycle.probes["install"]
    assert found["settings"]["inference_urls"] == [
        ["https://llm-a.hospital.local:8443", "https://[fd00::5]:8443"], "installer"]
    assert found["settings"]["role"] == ["department_lead", "installer"]
    assert found["settings"]["kb_public_key"] == ["3b" * 32, "installer"]
    assert found["settings"]["vosk_model_dir"] == ["", "default"]
    assert found["home"].endswith(r"\AppData\Local\ED Sentinel\ED Sentinel")


def test_installed_python_imports_the_app(lifecycle: Observed, older_msi: Built) -> None:
    found = lifecycle.probes["install"]
    assert found["imported"] == list(MODULES + optional_modules(older_msi))
    assert "acs" in found["cards"]


def test_command_line_wrapper_runs(lifecycle: Observed, older_msi: Built) -> None:
    assert lifecycle.logs["sentinel --version"] == f"ed-sentinel {older_msi.version}"


def test_keys_go_to_credential_manager(lifecycle: Observed) -> None:
    assert lifecycle.probes["install"]["keyring"] == ["WinVaultKeyring", "key-from-the-test"]


def test_policy_overrides_the_installer(lifecycle: Observed) -> None:
    found = lifecycle.probes["policy"]["settings"]
    assert found["role"] == ["kb_editor", "policy"]
    assert found["inference_urls"] == [
        ["https://policy-box.hospital.local", "https://spare.hospital.local"], "policy"]
    assert found["language"] == ["zh_CN", "installer"]
    assert found["tls_verify"] == [False, "policy"]
    assert found["retention_hours"] == [12.0, "policy"]


def test_upgrade_keeps_settings_and_takes_new_ones(lifecycle: Observed, newer_msi: Built) -> None:
    assert lifecycle.exit_codes["upgrade"] == 0
    before, after = lifecycle.registry["install"], lifecycle.registry["upgrade"]
    assert before is not None and after is not None
    for name in ("inference_urls", "ca_bundle", "kb_source", "kb_public_key", "role"):
        assert after[name] == before[name], name
    assert after["language"] == ("REG_SZ", "en")  # given on the upgrade's command line
    assert after["version"] == ("REG_SZ", newer_msi.version)
    assert after["vosk_model_dir"] == ("REG_SZ", rf"{INSTALL_DIR}\vosk-model")


def test_upgrade_replaces_the_old_product(lifecycle: Observed) -> None:
    assert lifecycle.installed_ok["upgrade"] == []
    assert not lifecycle.product_registered["older after upgrade"]
    settings = lifecycle.probes["upgrade"]["settings"]
    assert settings["language"] == ["en", "installer"]
    assert settings["vosk_model_dir"] == [rf"{INSTALL_DIR}\vosk-model", "installer"]


def test_downgrade_is_refused(lifecycle: Observed, newer_msi: Built) -> None:
    assert lifecycle.exit_codes["downgrade"] == ERROR_INSTALL_FAILURE
    assert "WIX_DOWNGRADE_DETECTED" in lifecycle.logs["downgrade"]
    after = lifecycle.registry["downgrade"]
    assert after is not None and after["version"] == ("REG_SZ", newer_msi.version)


def test_uninstall_leaves_nothing_behind(lifecycle: Observed) -> None:
    assert lifecycle.exit_codes["uninstall"] == 0
    assert lifecycle.registry["uninstall"] is None
    assert not lifecycle.product_registered["uninstall"]
    assert not lifecycle.shortcut_found["uninstall"]

    # The only new files are the user's own data folder, which uninstall keeps on purpose.
    left = lifecycle.files_after - lifecycle.files_before
    data = "users/"
    assert all(path.startswith(data) and "/AppData/Local/ED Sentinel" in path for path in left)
    assert "Program Files/ED Sentinel" not in lifecycle.files_after
    assert "ED Sentinel" not in lifecycle.registry_text_after.replace(
        "AppData\\\\Local\\\\ED Sentinel", "")
    assert "ed-sentinel" not in lifecycle.registry_text_after.lower()
