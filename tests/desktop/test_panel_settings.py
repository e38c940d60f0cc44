"""The settings dialog: a round trip through the settings file and the (in-memory) keyring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.settings_dialog import SettingsDialog
from engine.client.keys import SERVICE, api_key_for, key_name
from engine.settings import Settings

pytestmark = pytest.mark.gui

KEY = "sk-ward7-0123456789abcdef"


def dialog(qtbot: Any, settings: Settings) -> SettingsDialog:
    shown = SettingsDialog(settings)
    qtbot.addWidget(shown)
    return shown


def test_settings_round_trip(styled_app: Any, qtbot: Any, sentinel_home: Path,
                             memory_keyring: Any) -> None:
    settings = Settings.load(sentinel_home)
    first = dialog(qtbot, settings)
    first.urls.setPlainText("http://10.1.2.3:8080\n  https://box2.hospital.local:8443/v1 \n")
    first.api_key.setText(KEY)
    first.kb_source.setText("https://kb.hospital.local/bundles")
    first.vosk_model_dir.setText("/opt/models/vosk-model-small-cn-0.22")
    first.language.setCurrentIndex(first.language.findData("en"))
    first.protocol.setCurrentIndex(first.protocol.findData("0h2h"))
    first.assay.setCurrentIndex(first.assay.findData("abbott_architect_hs_ctni"))
    first.retention.setValue(12)
    with qtbot.waitSignal(first.applied) as applied:
        assert first.save()
    assert {"inference_urls", "api_key", "language", "troponin_protocol"} <= applied.args[0]

    reloaded = Settings.load(sentinel_home)
    assert reloaded.get("inference_urls") == ["http://10.1.2.3:8080",
                                              "https://box2.hospital.local:8443/v1"]
    assert reloaded.get("language") == "en"
    assert reloaded.get("troponin_protocol") == "0h2h"
    assert reloaded.get("troponin_assay") == "abbott_architect_hs_ctni"
    assert reloaded.get("retention_hours") == 12
    assert api_key_for("http://10.1.2.3:8080") == KEY
    assert memory_keyring.secrets[(SERVICE, key_name("https://box2.hospital.local:8443"))] == KEY
    for file in sentinel_home.rglob("*"):
        if file.is_file():
            assert KEY.encode() not in file.read_bytes(), f"the key leaked into {file}"

    second = dialog(qtbot, reloaded)
    assert second.api_key.text() == ""  # never shown again
    assert "已保存" in second.api_key.placeholderText()
    assert second.urls.toPlainText().splitlines()[0] == "http://10.1.2.3:8080"
    assert second.language.currentData() == "en"
    assert second.retention.value() == 12


def test_a_bad_url_keeps_the_dialog_open_and_changes_nothing(styled_app: Any, qtbot: Any,
                                                             sentinel_home: Path) -> None:
    settings = Settings.load(sentinel_home)
    shown = dialog(qtbot, settings)
    shown.urls.setPlainText("10.1.2.3:8080")
    shown.api_key.setText(KEY)
    assert shown.save() is False
    assert "http(s)://host[:port]" in shown.message.text()
    assert Settings.load(sentinel_home).get("inference_urls") == []
    assert api_key_for("http://10.1.2.3:8080") is None


def test_a_key_needs_a_box(styled_app: Any, qtbot: Any, sentinel_home: Path) -> None:
    shown = dialog(qtbot, Settings.load(sentinel_home))
    shown.api_key.setText(KEY)
    assert shown.save() is False
    assert "推理服务器地址" in shown.message.text()


def test_policy_fields_are_read_only(styled_app: Any, qtbot: Any, sentinel_home: Path,
                                     tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text(json.dumps({
        "inference_urls": ["http://10.9.9.9:8080"], "retention_hours": 8}), "utf-8")
    settings = Settings.load(sentinel_home)
    shown = dialog(qtbot, settings)
    assert shown.urls.isEnabled() is False and shown.retention.isEnabled() is False
    assert "策略" in shown.urls.toolTip()
    assert shown.language.isEnabled() is True

    shown.urls.setPlainText("http://10.1.1.1:8080")  # even if forced, policy wins
    shown.language.setCurrentIndex(shown.language.findData("en"))
    assert shown.save()
    reloaded = Settings.load(sentinel_home)
    assert reloaded.get("inference_urls") == ["http://10.9.9.9:8080"]
    assert reloaded.get("language") == "en"


def test_a_box_change_reaches_the_running_panel(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    assert panel.drafts.has_model is False and panel.monitor.state == "none"
    panel.settings.set_user("inference_urls", ["http://127.0.0.1:9"])  # nothing listens
    panel.settings_changed({"inference_urls"})
    assert panel.drafts.has_model is True
    qtbot.waitUntil(lambda: panel.monitor.state == "down", timeout=20_000)
    assert "连不上" in panel.window.box_banner.text()
