"""The whole flow on the real panel: words in, risk picture and draft out, copied to the HIS."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from engine.drafting.render import render_record, render_section
from tests.desktop.conftest import wait_for_draft

pytestmark = pytest.mark.gui

ACS_TEXT = "持续左胸痛3小时 压榨样 冷汗 气促"
HANDOVER = {
    "visit": {"id": "E20261203-0042", "time": "2026-12-03T14:35"},
    "patient": {"age": 58, "sex": "male"},
    "doctor": {"his_user_id": "D1024"},
    "vitals": {"hr": 112, "sbp": 160, "dbp": 95, "spo2": 95},
}


def type_text(panel: Any, text: str) -> None:
    # setPlainText, not keyClicks: pytest-qt's keyClicks aborts the run on Chinese text.
    panel.window.input_panel.text.setPlainText(text)


def audit_entries(panel: Any) -> list[dict[str, Any]]:
    panel.session.wait_for_storage()
    return list(panel.session.audit.entries())


def test_text_to_a_copied_draft(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    window = panel.window
    type_text(panel, ACS_TEXT)
    draft = wait_for_draft(qtbot, panel, ACS_TEXT)

    keys = [chip.key for chip in window.assessment.chips]
    assert {"present:chest_pain", "present:diaphoresis", "present:dyspnea",
            "character:pressure", "location:left_chest", "duration_minutes"} <= set(keys)
    assert window.badge.level == draft.content.risk_level is not None
    assert window.draft_view.sections["chief_complaint"].text() == \
        draft.content.chief_complaint != ""

    chip = next(c for c in window.assessment.chips if c.key == "present:diaphoresis")
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    chosen = window.input_panel.highlighter.chosen
    assert [ACS_TEXT[start:end] for start, end in chosen] == ["冷汗"]
    underlined = {ACS_TEXT[start:end] for start, end in window.input_panel.highlighter.spans}
    assert {"胸痛", "压榨", "冷汗", "气促"} <= underlined

    window.tabs.setCurrentIndex(1)
    qtbot.mouseClick(window.draft_view.copy_all, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied == render_record(draft.content, panel.session.visit_time_for_record())
    assert copied.startswith("就诊时间：") and "\n现病史：" in copied

    qtbot.mouseClick(window.draft_view.sections["present_illness"].copy,
                     Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == render_section(draft.content,
                                                                "present_illness")

    qtbot.waitUntil(lambda: sum(e["kind"] == "copy" for e in audit_entries(panel)) == 2)
    copies = [e for e in audit_entries(panel) if e["kind"] == "copy"]
    assert [e["section"] for e in copies] == ["record", "present_illness"]
    assert any(e["kind"] == "generation" for e in audit_entries(panel))
    assert all(ACS_TEXT not in json.dumps(e, ensure_ascii=False) for e in audit_entries(panel))


def test_every_change_is_in_the_journal(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    type_text(panel, ACS_TEXT)
    wait_for_draft(qtbot, panel, ACS_TEXT)
    fields = panel.window.input_panel
    fields.course.setCurrentIndex(fields.course.findData("intermittent"))
    fields.vitals["hr"].setText("118")
    fields.vitals["hr"].editingFinished.emit()
    wait_for_draft(qtbot, panel, "间断性")

    journal = panel.session.journal
    values = journal.case(panel.session.case_id).values
    assert values["typed_text"] == ACS_TEXT
    assert values["fields"]["course"] == "intermittent"
    assert values["vitals"]["values"] == {"hr": 118.0}
    qtbot.waitUntil(lambda: journal.case(panel.session.case_id).draft is not None)
    saved = journal.case(panel.session.case_id).draft
    assert saved["draft"]["content"]["chief_complaint"] == \
        panel.session.draft.content.chief_complaint


def test_a_question_goes_into_the_input_and_redrafts(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    type_text(panel, ACS_TEXT)
    draft = wait_for_draft(qtbot, panel, ACS_TEXT)
    question = draft.content.history_to_ask[0]
    button = panel.window.assessment.questions_box.itemAt(0).widget()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    typed = panel.window.input_panel.text.toPlainText()
    assert typed == f"{ACS_TEXT}\n{question.rstrip('？?')}："
    wait_for_draft(qtbot, panel, question.rstrip("？?"))
    assert panel.session.inputs.text == typed


def test_an_edited_section_survives_redrafts_and_is_what_gets_copied(make_panel: Any,
                                                                     qtbot: Any) -> None:
    panel = make_panel()
    type_text(panel, ACS_TEXT)
    wait_for_draft(qtbot, panel, ACS_TEXT)
    box = panel.window.draft_view.sections["present_illness"]
    box.editor.setPlainText("患者3小时前突发左胸压榨样疼痛，伴冷汗。（医生修改）")
    assert panel.session.edited == {"present_illness": box.editor.toPlainText()}

    type_text(panel, ACS_TEXT + " 既往高血压")
    wait_for_draft(qtbot, panel, "既往高血压")
    assert box.text().endswith("（医生修改）")
    assert box.state.text() == "已修改"
    qtbot.mouseClick(box.copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == \
        "现病史：患者3小时前突发左胸压榨样疼痛，伴冷汗。（医生修改）"

    qtbot.mouseClick(box.reset, Qt.MouseButton.LeftButton)
    assert box.text() == panel.session.draft.content.present_illness
    assert panel.session.edited == {}


def test_a_handover_fills_patient_and_triage_vitals(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    assert panel.session.apply_handover_bytes(json.dumps(HANDOVER).encode("utf-8"))
    inputs = panel.window.input_panel
    assert inputs.vitals["hr"].text() == "112"
    assert inputs.vitals["hr"].property("triage") is True
    assert "58岁" in inputs.patient_label.text() and "E20261203-0042" in \
        inputs.patient_label.text()

    type_text(panel, ACS_TEXT)
    draft = wait_for_draft(qtbot, panel, ACS_TEXT)
    assert "112" in draft.content.physical_exam
    assert draft.findings["age"] == 58
    copied_time = panel.session.visit_time_for_record()
    assert copied_time is not None and copied_time.strftime("%H:%M") == "14:35"

    qtbot.mouseClick(panel.window.draft_view.copy_all, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text().startswith("就诊时间：2026-12-03 14:35\n")
    qtbot.waitUntil(lambda: any(e["kind"] == "copy" for e in audit_entries(panel)))
    copy = next(e for e in audit_entries(panel) if e["kind"] == "copy")
    assert copy["his_user"] == "D1024"


@pytest.mark.parametrize("raw", [
    b"", b"   ", b"\xff\xfe{}", b"[1, 2]", b"{\"visit\": {\"id\": \"E1\"}}",
    b"{\"visit\": {\"id\": \"E1\", \"time\": \"2026-12-03T14:35\"}, \"extra\": 1}",
    b"{\"visit\": {\"id\": \"E1\", \"time\": \"2026-12-03T14:35\"},"
    b" \"vitals\": {\"hr\": \"112\"}}",
    b"{\"visit\": {\"id\": \"E1\", \"time\": \"2026-12-03T14:35\"}, \"vitals\": {\"hr\": 900}}",
    b"{" + b" " * 70_000 + b"}",
])
def test_a_malformed_handover_changes_nothing(make_panel: Any, qtbot: Any, raw: bytes) -> None:
    panel = make_panel()
    type_text(panel, ACS_TEXT)
    wait_for_draft(qtbot, panel, ACS_TEXT)
    before = panel.session.inputs

    assert panel.session.apply_handover_bytes(raw) is False
    assert panel.session.inputs == before
    assert panel.window.input_panel.text.toPlainText() == ACS_TEXT
    banner = panel.window.message_banner
    assert banner.isVisible() and "HIS 交接数据被拒绝" in banner.text()


def test_a_restart_brings_back_the_open_case(make_panel: Any, qtbot: Any) -> None:
    first = make_panel()
    type_text(first, ACS_TEXT)
    wait_for_draft(qtbot, first, ACS_TEXT)
    first.window.input_panel.course.setCurrentIndex(2)
    first.window.close()  # shuts the panel down: the journal writes what is pending
    assert first.session.journal is None

    second = make_panel()
    qtbot.waitUntil(lambda: second.session.inputs.text == ACS_TEXT)
    assert second.window.input_panel.text.toPlainText() == ACS_TEXT
    assert second.window.input_panel.course.currentData() == "intermittent"
    assert "已恢复" in second.window.message_banner.text()
    wait_for_draft(qtbot, second, ACS_TEXT)


def test_a_new_case_closes_the_old_one(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    type_text(panel, ACS_TEXT)
    wait_for_draft(qtbot, panel, ACS_TEXT)
    old_case = panel.session.case_id

    panel.window.actions_by_name["new_case"].trigger()
    assert panel.window.input_panel.text.toPlainText() == ""
    assert panel.window.draft_view.copy_all.isEnabled() is False
    assert panel.window.badge.level is None
    assert [c.case_id for c in panel.session.journal.open_cases()] == []
    assert panel.session.journal.case(old_case).status == "closed"
