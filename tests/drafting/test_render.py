"""HIS-ready text: headings in the record's order, 24-hour times, nothing said twice."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.drafting.model import Diagnosis, DraftContent, Reminder, RiskItem
from engine.drafting.render import SECTION_TITLES, render_record, render_section

CONTENT = DraftContent(
    chief_complaint="左胸痛3小时", present_illness="患者3小时前出现左胸压榨样疼痛。",
    diagnosis=Diagnosis(primary="急性冠脉综合征？", differentials=["主动脉夹层", "肺栓塞"]),
    risk_assessment=[RiskItem(name="HEART", result="5分", basis="依据：年龄62岁"),
                     RiskItem(name="PERC", result="阳性", basis="心率108")],
    reminders=[Reminder(text="复查肌钙蛋白 15:35", due_at=datetime(2026, 12, 3, 15, 35)),
               Reminder(text="复查心电图", due_at=datetime(2026, 12, 3, 21, 5))],
)


def test_the_record_follows_the_national_rules_order() -> None:
    text = render_record(CONTENT, datetime(2026, 12, 3, 14, 35))
    titles = [line.split("：")[0] for line in text.splitlines() if "：" in line]
    assert titles == ["就诊时间", "主诉", "现病史", "既往史", "个人史", "过敏史", "体格检查",
                      "辅助检查", "初步诊断", "鉴别诊断", "处理意见"]
    assert "就诊时间：2026-12-03 14:35" in text
    assert "既往史：（待补充）" in text


def test_one_section_copies_on_its_own() -> None:
    assert render_section(CONTENT, "chief_complaint") == "主诉：左胸痛3小时"
    with pytest.raises(KeyError, match="chief_complaint"):
        render_section(CONTENT, "nonsense")
    assert set(SECTION_TITLES) >= {"present_illness", "reminders", "risk_assessment"}


def test_basis_and_times_are_not_said_twice() -> None:
    risk = render_section(CONTENT, "risk_assessment")
    assert "依据：依据" not in risk and "HEART：5分（依据：年龄62岁）" in risk
    reminders = render_section(CONTENT, "reminders")
    assert reminders.count("15:35") == 1
    assert "21:05 复查心电图" in reminders, "24-hour clock"
