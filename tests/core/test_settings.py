"""Settings resolve as policy, then the user's choice, then the installer's, then default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.settings import SETTINGS, PolicyLocked, SettingError, Settings


def write(path: Path, values: dict[str, object]) -> None:
    path.write_text(json.dumps(values), "utf-8")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {"policy": tmp_path / "policy.json", "installer": tmp_path / "installer.json"}


def test_defaults_when_nothing_is_set(sentinel_home: Path) -> None:
    settings = Settings.load()
    assert settings.get("inference_urls") == []
    assert settings.origin("language") == "default"


def test_the_order_is_policy_user_installer_default(files: dict[str, Path]) -> None:
    settings = Settings.load()
    write(files["installer"], {"language": "en", "role": "kb_editor",
                               "inference_urls": "http://a:1;http://b:2"})
    assert settings.get("inference_urls") == ["http://a:1", "http://b:2"]
    assert settings.origin("language") == "installer"

    settings.set_user("language", "zh_CN")
    assert (settings.get("language"), settings.origin("language")) == ("zh_CN", "user")

    write(files["policy"], {"language": "en"})
    assert (settings.get("language"), settings.origin("language")) == ("en", "policy")
    assert settings.get("role") == "kb_editor"


def test_the_user_cannot_change_a_policy_setting(files: dict[str, Path]) -> None:
    write(files["policy"], {"tls_verify": True})
    with pytest.raises(PolicyLocked, match="policy"):
        Settings.load().set_user("tls_verify", False)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("language", "fr", "not one of"),
    ("retries", "many", "whole number"),
    ("retries", 99, "above"),
    ("tls_verify", "perhaps", "true or false"),
    ("no_such_setting", 1, "unknown setting"),
])
def test_bad_values_name_the_setting(key: str, value: object, message: str) -> None:
    with pytest.raises(SettingError, match=message):
        Settings.load().set_user(key, value)


def test_a_bad_value_in_a_file_falls_through_to_the_next_source(
    files: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    write(files["policy"], {"retries": "lots"})
    write(files["installer"], {"retries": 4})
    assert Settings.load().get("retries") == 4
    assert "ignoring policy value" in caplog.text


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_a_malformed_settings_file_is_a_clear_error(files: dict[str, Path],
                                                    content: bytes) -> None:
    files["policy"].write_bytes(content)
    with pytest.raises(SettingError, match="policy settings"):
        Settings.load().get("language")


def test_user_settings_are_written_atomically_and_survive(sentinel_home: Path) -> None:
    Settings.load().set_user("dock_side", "left")
    assert json.loads((sentinel_home / "settings.json").read_text("utf-8")) == \
        {"dock_side": "left"}
    assert Settings.load().get("dock_side") == "left"
    assert not list(sentinel_home.glob("*.tmp"))


def test_every_setting_has_a_description_and_a_valid_default() -> None:
    for setting in SETTINGS.values():
        assert setting.description, setting.key
        assert setting.convert(setting.default) == setting.default
