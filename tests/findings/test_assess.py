"""assess(): triage vitals, red flags, questions ranked by impact, the risk-level rule, and
input checks."""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Any

import pytest

from engine import scores
from engine.errors import BadInput
from engine.findings import InvalidText, InvalidVitals, assess, check_vitals
from engine.findings.redflags import RaisedFlag
from engine.findings.risk import HIGH, LOW, MODERATE, risk_level

NOW = datetime(2024, 5, 1, 14, 0)


def test_the_json_contract() -> None:
    result = assess("持续左胸痛3小时压榨 冷汗气促", "acs", now=NOW).to_dict()
    assert set(result) == {"findings", "scores", "questions", "red_flags", "risk_level"}
    findings = result["findings"]
    assert {"present", "absent", "duration_minutes", "onset", "course", "character", "location",
            "radiation", "aggravating", "relieving", "history", "vitals", "age", "sex",
            "evidence"} <= set(findings)
    assert set(findings["vitals"]) >= {"hr", "sbp", "dbp", "rr", "spo2", "temp"}
    assert findings["present"] == ["chest_pain", "diaphoresis", "dyspnea"]
    assert findings["character"] == ["pressure"] and findings["location"] == ["left_chest"]
    assert findings["course"] == "persistent" and findings["duration_minutes"] == 180
    assert set(result["scores"]) == {"heart", "edacs", "timi"}
    for question in result["questions"]:
        assert set(question) == {"id", "text", "for"}
    for flag in result["red_flags"]:
        assert set(flag) == {"id", "text", "evidence"}
    assert result["risk_level"] in ("低危", "中危", "高危")


def test_triage_vitals_win_for_scores_and_a_disagreement_is_flagged() -> None:
    text = "胸痛2小时，心率88次/分"
    result = assess(text, "pulmonary_embolism", vitals={"hr": 120}, now=NOW)
    assert result.findings.vitals["hr"] == 88        # what the text says
    assert result.vitals["hr"] == 120                 # what the scores use
    assert result.inputs["wells_pe"].values["heart_rate"] == 120
    flag = next(f for f in result.red_flags if f.id == "vitals_disagree_hr")
    assert "120" in flag.text and "88" in flag.text
    assert [text[s:e] for s, e in flag.evidence] == ["心率88次/分"]
    assert result.risk_level != LOW


def test_close_readings_do_not_disagree() -> None:
    result = assess("心率88次/分", vitals={"hr": 92}, now=NOW)
    assert not [f for f in result.red_flags if f.id.startswith("vitals_disagree")]


def test_triage_only_vitals_feed_scores_and_flags() -> None:
    result = assess("胸痛", vitals={"sbp": 80, "spo2": 85}, now=NOW)
    ids = {flag.id for flag in result.red_flags}
    assert {"hypotension", "hypoxia"} <= ids
    assert all(flag.evidence == () for flag in result.red_flags if flag.id == "hypotension")
    assert result.risk_level == HIGH


def test_aortic_case_raises_its_flags_with_evidence() -> None:
    text = ("男，55岁，1小时前突发剧烈胸痛，呈撕裂样，放射至后背，"
            "血压左臂190/110mmHg、右臂160/95mmHg。")
    result = assess(text, "aortic_dissection", now=NOW)
    flags = {flag.id: flag for flag in result.red_flags}
    assert {"tearing_pain", "tearing_pain_arm_difference", "sudden_pain_to_back"} <= set(flags)
    quoted = [text[s:e] for s, e in flags["tearing_pain_arm_difference"].evidence]
    assert "撕裂" in quoted and any("190/110" in q for q in quoted)
    assert result.scores["add_rs"].band == "high"
    assert result.risk_level == HIGH


def test_questions_merge_across_scores_and_follow_the_template() -> None:
    result = assess("胸痛", "acs", now=NOW)
    by_id = {q.id: q for q in result.questions}
    assert set(by_id["age"].scores) == {"heart", "edacs", "timi"}
    assert set(by_id["risk_factors"].scores) == {"heart", "edacs", "timi"}
    assert by_id["ecg"].scores and by_id["troponin"].scores
    ids = [q.id for q in result.questions]
    assert ids.index("medications") > ids.index("age")  # template items come after the scores
    weights = [q.weight for q in result.questions if q.scores]
    assert weights == sorted(weights, reverse=True)


def test_answered_questions_are_not_asked() -> None:
    asked = {q.id for q in assess("胸痛", "acs", now=NOW).questions}
    answered = {q.id for q in assess("男，64岁，胸痛2小时，向左上肢放射", "acs",
                                     now=NOW).questions}
    assert {"age", "sex", "onset_time", "radiation"} <= asked
    assert not {"age", "sex", "onset_time", "radiation"} & answered


def test_questions_rank_what_changes_the_risk_most() -> None:
    # For a 30-year-old, EDACS age points are settled; sex still moves EDACS by 6.
    result = assess("女，30岁，胸痛", "acs", now=NOW)
    ids = [q.id for q in result.questions]
    assert "age" not in ids and "sex" not in ids
    assert ids.index("palpation") < ids.index("timi.aspirin_7d")


def _result(name: str, values: dict[str, Any]) -> scores.ScoreResult:
    return scores.compute(name, values)


LOW_HEART = {"history": "slight", "ecg": "normal", "age": 30, "risk_factors": [],
             "atherosclerotic_disease": False, "troponin_ratio": 0.5}


def test_risk_level_rule() -> None:
    low = {"heart": _result("heart", LOW_HEART)}
    assert risk_level(low, []) == LOW
    check = RaisedFlag("vitals_disagree_hr", "x", (), "check")
    assert risk_level(low, [check]) == MODERATE
    assert risk_level(low, [RaisedFlag("x", "x", (), "high")]) == HIGH
    partial = {"heart": _result("heart", {**LOW_HEART, "troponin_ratio": None})}
    assert partial["heart"].band == "low"  # troponin missing but all totals stay low
    assert risk_level(partial, []) == LOW
    unknown = {"heart": _result("heart", {"age": 30})}
    assert risk_level(unknown, []) == MODERATE  # could still be high
    high_floor = {"add_rs": _result("add_rs", {"pain": ["abrupt_onset"],
                                               "exam": ["sbp_differential"]})}
    assert risk_level(high_floor, []) == HIGH
    assert risk_level({}, []) is None


def test_nothing_understood_gives_no_risk_level() -> None:
    assert assess("你好", now=NOW).risk_level is None
    assert assess("", now=NOW).risk_level is None


@pytest.mark.parametrize(("vitals", "message"), [
    ({"pulse": 80}, "unknown key 'pulse'"),
    ({"hr": True}, "expected a number, got true"),
    ({"hr": "88"}, "expected a number"),
    ({"hr": math.nan}, "expected a number"),
    ({"spo2": 120}, "outside the plausible"),
    ({"temp": -1}, "outside the plausible"),
    ([("hr", 80)], "must be a JSON object"),
])
def test_bad_vitals(vitals: Any, message: str) -> None:
    with pytest.raises(InvalidVitals, match=message):
        check_vitals(vitals)


def test_vitals_null_is_unknown() -> None:
    assert check_vitals({"hr": None, "sbp": 120.0}) == {"sbp": 120}


def test_text_checks() -> None:
    with pytest.raises(InvalidText, match="more than 20000"):
        assess("胸" * 20_001)
    with pytest.raises(InvalidText, match="string"):
        assess(b"chest pain")  # type: ignore[arg-type]
    assert issubclass(InvalidText, BadInput) and InvalidText.exit_code == 2


def test_no_patient_text_is_logged_at_info_or_above(caplog: pytest.LogCaptureFixture) -> None:
    text = "男，64岁，胸骨后压榨样疼痛2小时，心率130次/分"
    with caplog.at_level(logging.INFO):
        assess(text, "acs", vitals={"hr": 90}, now=NOW)
    assert all("胸" not in record.getMessage() for record in caplog.records)
