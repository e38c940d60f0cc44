"""The rules-first draft: record language from the findings, nothing the inputs do not support,
scores with their basis, workup and timed reminders from the template and troponin protocol."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.drafting.composer import compose, duration_text
from engine.drafting.model import DraftContent, content_warnings
from engine.findings import assess, vocabulary
from engine.settings import Settings

NOW = datetime(2024, 5, 1, 14, 0)


def draft(text: str, template: str = "acs", **kwargs: object) -> DraftContent:
    return compose(assess(text, template, now=NOW, **kwargs), template, NOW,  # type: ignore[arg-type]
                   troponin_protocol="0h1h")


def test_the_dictation_example() -> None:
    content = draft("持续左胸痛3小时压榨 冷汗气促")
    assert content.chief_complaint == "左胸痛3小时"
    assert content.present_illness == \
        "患者3小时前出现左侧胸部压榨样疼痛，呈持续性，伴出汗、呼吸困难。"
    assert content.risk_level == "高危"
    assert content_warnings(content) == []


def test_present_illness_in_record_order() -> None:
    text = ("男，64岁，突发胸骨后压榨样疼痛2小时，向左上肢放射，活动后加重，休息后缓解，"
            "伴出汗、恶心，无呕吐。")
    content = draft(text)
    assert content.chief_complaint == "胸骨后疼痛2小时"
    assert content.present_illness == (
        "患者2小时前突发胸骨后压榨样疼痛，向左上肢放射，活动后加重，休息后缓解，伴出汗、恶心，"
        "无呕吐。")


@pytest.mark.parametrize(("text", "chief"), [
    ("胸闷气喘3天", "胸闷、呼吸困难3天"),
    ("突发呼吸困难伴左侧胸痛6小时", "呼吸困难伴胸痛6小时"),
    ("胸痛3小时，伴气促", "胸痛3小时"),
    ("心慌1小时，无胸痛", "心悸1小时"),
    ("胸痛", "胸痛"),                           # no duration given: none written
    ("右前胸针刺样疼痛1周", "右胸痛1周"),
    ("反复胸痛半年", "胸痛半年"),
])
def test_chief_complaint(text: str, chief: str) -> None:
    assert draft(text).chief_complaint == chief


@pytest.mark.parametrize(("minutes", "text"), [
    (40, "40分钟"), (90, "90分钟"), (120, "2小时"), (720, "12小时"), (1440, "1天"),
    (4320, "3天"), (10080, "1周"), (20160, "2周"), (43200, "1个月"), (262800, "半年"),
    (525600, "1年"),
])
def test_duration_text(minutes: int, text: str) -> None:
    assert duration_text(minutes) == text


def test_history_sections() -> None:
    content = draft("胸痛，既往高血压、糖尿病，否认冠心病史，吸烟，父亲50岁时心梗")
    assert content.past_history == "既往高血压、糖尿病病史。否认冠心病病史。"
    assert content.personal_history == "吸烟。家族史：有冠心病家族史（亲属发病年龄50岁）。"
    assert draft("胸痛，既往体健").past_history == "既往体健。"


def test_physical_exam_from_text_and_triage() -> None:
    content = draft("胸痛，T 36.6℃，BP 138/82mmHg", vitals={"hr": 96, "spo2": 97})
    assert content.physical_exam == \
        "T 36.6℃，P 96次/分（预检），BP 138/82mmHg，SpO2 97%（预检）。"


def test_nothing_is_stated_that_no_input_supports() -> None:
    content = draft("心慌")
    labels = {term.id: term.label for term in vocabulary().of("symptom")}
    written = content.chief_complaint + content.present_illness
    for symptom, label in labels.items():
        if symptom != "palpitations":
            assert label not in written, label
    assert (content.past_history, content.personal_history, content.physical_exam,
            content.investigations, content.allergy_history) == ("", "", "", "", "")


def test_an_empty_text_drafts_no_record() -> None:
    content = draft("")
    assert content.chief_complaint == content.present_illness == ""
    assert content.risk_level is None
    assert content.history_to_ask  # what to ask is still useful


def test_diagnosis_and_workup_from_the_template() -> None:
    content = draft("胸痛", "aortic_dissection")
    assert content.diagnosis.primary == "胸痛待查：主动脉夹层？"
    assert "急性冠脉综合征" in content.diagnosis.differentials
    assert "主动脉CTA（全主动脉）" in content.suggested_workup


def test_history_to_ask_leaves_tests_to_the_workup() -> None:
    content = draft("胸痛")
    assert not any("心电图结果" in q or "肌钙蛋白结果" in q for q in content.history_to_ask)
    assert any("年龄" in q for q in content.history_to_ask)


def test_risk_assessment_has_scores_and_red_flags_with_basis() -> None:
    text = "男，64岁，胸骨后压榨样疼痛2小时，向左上肢放射，伴出汗"
    content = draft(text)
    names = [item.name for item in content.risk_assessment]
    assert names[:3] == ["HEART 评分（胸痛）", "EDACS 胸痛评分（附 2 h ADP）",
                         "TIMI 评分（UA/NSTEMI）"]
    heart = content.risk_assessment[0]
    assert heart.result.startswith("已知") and "待补" in heart.basis and "心电图" in heart.basis
    flag = next(item for item in content.risk_assessment if item.name == "危险信号")
    assert "胸痛伴大汗" in flag.result and "出汗" in flag.basis


@pytest.mark.parametrize(("protocol", "hours"), [("0h1h", 1), ("0h2h", 2)])
def test_reminders_are_due_at_exact_times(protocol: str, hours: int) -> None:
    content = compose(assess("胸痛2小时", "acs", now=NOW), "acs", NOW,
                      troponin_protocol=protocol)
    by_text = {r.text.split("（")[0].split("：")[0]: r for r in content.reminders}
    assert by_text["首份心电图"].due_at == NOW + timedelta(minutes=10)
    troponin = by_text["复查高敏肌钙蛋白"]
    assert troponin.due_at == NOW + timedelta(hours=hours)
    assert troponin.due_in_minutes == hours * 60
    assert f"{NOW + timedelta(hours=hours):%H:%M}" in troponin.text
    assert "发病≤3小时" in troponin.text  # 2 h since onset: a very low 0 h value is not enough


def test_troponin_protocol_comes_from_settings_by_default() -> None:
    Settings.load().set_user("troponin_protocol", "0h2h")
    content = compose(assess("胸痛5小时", "acs", now=NOW), "acs", NOW)
    troponin = next(r for r in content.reminders if "肌钙蛋白" in r.text)
    assert troponin.due_at == NOW + timedelta(hours=2)
    assert "发病≤3小时" not in troponin.text


def test_compose_with_another_template() -> None:
    content = compose(assess("胸痛", "acs", now=NOW), "pneumothorax", NOW,
                      troponin_protocol="0h1h")
    assert content.diagnosis.primary == "胸痛、呼吸困难待查：气胸？"
