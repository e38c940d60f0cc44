"""Templates (公共 and 我的), structured fields, pictures: the rest of the input side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from desktop.inputs import CaseInputs
from desktop.settings_dialog import SettingsDialog
from prompts.templates import load_template
from tests.desktop.conftest import wait_for_draft

pytestmark = pytest.mark.gui

TEXT = "间断胸闷2天 活动后加重"


def png(colour: str, size: int = 400) -> bytes:
    image = QImage(size, size // 2, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_the_picker_lists_public_then_personal_templates(make_panel: Any) -> None:
    picker = make_panel().window.input_panel.template
    items = [(picker.itemText(i), picker.itemData(i)) for i in range(picker.count())]
    assert items[0] == ("— 公共 —", None)
    ids = [data for _text, data in items if data]
    assert ids[:2] == ["chest_pain_general", "acs"]
    assert {"aortic_dissection", "pulmonary_embolism", "pneumothorax", "costochondritis",
            "reflux_esophagitis"} <= set(ids)
    assert ("— 我的 —", None) not in items  # none saved yet


def test_saving_a_personal_template(make_panel: Any, qtbot: Any, sentinel_home: Path) -> None:
    panel = make_panel()
    inputs = panel.window.input_panel
    inputs.template.setCurrentIndex(inputs.template.findData("aortic_dissection"))
    inputs.course.setCurrentIndex(inputs.course.findData("persistent"))
    panel.window.save_template_as("我的夹层 筛查")

    entry = panel.catalog.personal()[0]
    assert entry.title == "我的夹层 筛查" and entry.base == "aortic_dissection"
    assert entry.course == "persistent"
    saved = load_template(entry.template_id, sentinel_home / "templates")
    assert saved.kind == "personal"
    assert saved.red_flags == load_template("aortic_dissection").red_flags
    assert panel.session.inputs.template == entry.template_id
    assert inputs.template.currentData() == entry.template_id
    assert ("— 我的 —", None) in [(inputs.template.itemText(i), inputs.template.itemData(i))
                                  for i in range(inputs.template.count())]

    inputs.text.setPlainText("突发胸背部撕裂样疼痛1小时")
    draft = wait_for_draft(qtbot, panel, "撕裂样")
    assert "夹层" in draft.content.diagnosis.primary + "".join(
        draft.content.diagnosis.differentials)


def test_a_template_with_no_title_is_not_saved(make_panel: Any) -> None:
    panel = make_panel()
    panel.window.save_template_as("   ")
    assert panel.catalog.personal() == []
    assert "模板未保存" in panel.window.message_banner.text()


def test_structured_fields_reach_the_engine(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    inputs = panel.window.input_panel
    inputs.text.setPlainText("胸闷")
    inputs.course.setCurrentIndex(inputs.course.findData("intermittent"))
    inputs.duration.setText("2")
    inputs.unit.setCurrentIndex(inputs.unit.findData("days"))
    inputs.duration.editingFinished.emit()
    draft = wait_for_draft(qtbot, panel, "病程2天")

    assert panel.session.draft_text == "胸闷\n症状呈间断性，病程2天。"
    assert draft.findings["course"] == "intermittent"
    assert draft.findings["duration_minutes"] == 2 * 1440
    spans = panel.window.input_panel.highlighter.spans
    assert all(end <= len("胸闷") for _start, end in spans)  # the sentence is not underlined


def test_an_out_of_range_vital_is_marked_and_not_sent(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    box = panel.window.input_panel.vitals["hr"]
    box.setText("900")
    box.editingFinished.emit()
    assert "超出范围" in box.toolTip()
    assert panel.session.inputs.vitals == {}
    box.setText("88")
    box.editingFinished.emit()
    assert panel.session.inputs.vitals == {"hr": 88.0}


def test_pictures_are_journalled_shown_and_restored(make_panel: Any, qtbot: Any,
                                                    tmp_path: Path) -> None:
    first = make_panel()
    first.window.input_panel.text.setPlainText(TEXT)
    wait_for_draft(qtbot, first, TEXT)
    ecg = tmp_path / "ecg.png"
    ecg.write_bytes(png("#c62828"))
    first.window.input_panel.attach_file(ecg)
    first.window.input_panel.attach_file(tmp_path / "missing.png")
    qtbot.waitUntil(lambda: "无法读取图片 missing.png" in first.window.message_banner.text())
    qtbot.waitUntil(lambda: len(first.session.pictures) == 1)

    case = first.session.journal.case(first.session.case_id)
    assert [(a.name, a.kind) for a in case.attachments] == [("ecg.png", "picture")]
    thumbs = first.window.input_panel.thumbs_layout
    assert thumbs.count() == 2  # the thumbnail and the stretch after it
    thumb = thumbs.itemAt(0).widget()
    qtbot.waitUntil(lambda: not thumb.icon().isNull(), timeout=10_000)
    first.window.close()

    second = make_panel()
    qtbot.waitUntil(lambda: len(second.session.pictures) == 1)
    assert second.session.pictures[0].data == ecg.read_bytes()
    assert second.window.input_panel.pictures_area.isVisible()


def test_the_fields_sentence() -> None:
    assert CaseInputs().engine_text() == ""
    inputs = CaseInputs(text="胸痛", course="persistent", duration_value=1.5,
                        duration_unit="hours", age=70, sex="female")
    assert inputs.fields_sentence() == "患者女，70岁，症状呈持续性，病程1.5小时。"
    assert inputs.engine_text() == "胸痛\n患者女，70岁，症状呈持续性，病程1.5小时。"
    assert CaseInputs(course="intermittent").engine_text() == "症状呈间断性。"


def test_settings_open_from_the_window(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    panel.window.actions_by_name["settings"].trigger()
    dialog = panel.window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.language.currentData() == panel.settings.get("language")
    dialog.reject()
    assert not dialog.isVisible()
