"""From findings to score inputs: each score's own definitions, true only when said, false only
when denied, lists only when they settle the points."""

from __future__ import annotations

import pytest

from engine import scores
from engine.findings import extract
from engine.findings.mapping import heart_history, score_inputs


def inputs(name: str, text: str, **vitals: float) -> dict[str, object]:
    findings = extract(text)
    return score_inputs(name, findings, {**findings.vitals, **vitals}).values


def test_obesity_counts_for_heart_but_not_for_timi_or_edacs() -> None:
    text = "高血压、糖尿病、肥胖"
    factors = inputs("heart", text)["risk_factors"]
    assert isinstance(factors, list)
    assert sorted(factors) == ["diabetes", "hypertension", "obesity"]
    assert "risk_factor_count" not in inputs("timi", text)  # 2 known, the others unknown
    assert "risk_factor_count" not in inputs("edacs", text)


def test_three_present_factors_settle_the_count() -> None:
    text = "高血压、糖尿病、高脂血症"
    assert inputs("timi", text)["risk_factor_count"] == 3
    assert inputs("edacs", text)["risk_factor_count"] == 3


def test_every_factor_known_gives_a_complete_list() -> None:
    text = "否认高血压、糖尿病、高脂血症病史，不吸烟，否认家族史，无肥胖"
    assert inputs("heart", text)["risk_factors"] == []
    assert inputs("timi", text)["risk_factor_count"] == 0


@pytest.mark.parametrize(("text", "heart", "timi", "edacs"), [
    # HEART: parent or sibling before 65; TIMI: first-degree relative; EDACS: premature,
    # male < 55, female < 65.
    ("父亲55岁时心梗", True, True, None),
    ("父亲50岁时心梗", True, True, True),
    ("母亲60岁患冠心病", True, True, True),
    ("父亲70岁心梗", None, True, None),
    ("爷爷50岁心梗", None, None, None),
    ("冠心病家族史", None, None, None),
    ("早发冠心病家族史", True, True, True),
    ("否认家族史", False, False, False),
])
def test_family_history_by_each_scores_definition(text: str, heart: bool | None,
                                                  timi: bool | None, edacs: bool | None) -> None:
    from engine.findings.mapping import _family

    findings = extract(text)
    assert (_family(findings, "heart"), _family(findings, "timi"),
            _family(findings, "edacs")) == (heart, timi, edacs)


@pytest.mark.parametrize(("text", "level"), [
    ("胸骨后压榨样疼痛，向左上肢放射，伴出汗、恶心", "high"),
    ("压榨样胸痛，按压痛", "moderate"),
    ("胸骨后疼痛", "moderate"),
    ("针刺样胸痛，转身时加重", "slight"),
    ("胸痛", None),
])
def test_heart_history_from_stated_elements(text: str, level: str | None) -> None:
    assert heart_history(extract(text))[0] == level


def test_atherosclerotic_disease_and_known_cad() -> None:
    assert inputs("heart", "既往陈旧性心梗")["atherosclerotic_disease"] is True
    assert inputs("edacs", "PCI术后")["known_cad"] is True
    assert inputs("heart", "既往体健")["atherosclerotic_disease"] is False
    assert "known_cad" not in inputs("timi", "胸痛")


@pytest.mark.parametrize(("text", "expected"), [
    ("向左上肢放射", True), ("放射至下颌", True), ("无放射", False), ("放射至后背", None),
    ("胸痛", None),
])
def test_edacs_radiation(text: str, expected: bool | None) -> None:
    assert inputs("edacs", text).get("radiation") == expected


def test_edacs_yes_no_inputs() -> None:
    values = inputs("edacs", "男，40岁，胸痛伴出汗，深吸气时加重，无压痛")
    assert values["age"] == 40 and values["sex"] == "male"
    assert values["diaphoresis"] is True
    assert values["pain_on_inspiration"] is True
    assert values["reproducible_by_palpation"] is False
    assert inputs("edacs", "无出汗")["diaphoresis"] is False


def test_edacs_leaves_out_a_minor() -> None:
    assert "age" not in inputs("edacs", "男，16岁，胸痛")
    assert inputs("heart", "男，16岁，胸痛")["age"] == 16


@pytest.mark.parametrize(("text", "expected"), [
    ("左小腿肿痛", True), ("双下肢水肿", False), ("无下肢水肿", False), ("下肢水肿", None),
])
def test_perc_needs_one_sided_swelling(text: str, expected: bool | None) -> None:
    assert inputs("perc", text).get("unilateral_leg_swelling") == expected


def test_wells_and_perc_read_vitals_and_history() -> None:
    values = inputs("wells_pe", "咯血，左小腿肿痛，长期卧床，肺癌", hr=110)
    assert values == {"dvt_signs": True, "heart_rate": 110, "immobilization_or_surgery": True,
                      "hemoptysis": True, "malignancy": True}
    perc = inputs("perc", "女，38岁，口服避孕药，SpO2 92%，HR 108")
    assert perc == {"age": 38, "heart_rate": 108, "spo2": 92, "hormone_use": True}


def test_add_rs_categories() -> None:
    text = "突发胸痛，呈撕裂样，血压左臂190/110mmHg、右臂160/95mmHg，马凡综合征"
    values = inputs("add_rs", text)
    assert values == {"conditions": ["marfan_or_ctd"], "pain": ["abrupt_onset", "ripping_tearing"],
                      "exam": ["sbp_differential"]}
    assert scores.compute("add_rs", values).total == 3
    assert inputs("add_rs", "胸痛", sbp=80) == {"exam": ["hypotension_shock"]}
    assert inputs("add_rs", "胸痛") == {}


@pytest.mark.parametrize("name", scores.names())
def test_every_score_accepts_what_the_mapping_gives(name: str) -> None:
    text = ("男，64岁，突发胸骨后压榨样撕裂样疼痛，向左上肢及后背放射，伴出汗、咯血，左小腿肿痛，"
            "既往高血压、糖尿病、高脂血症、吸烟、肥胖、陈旧性心梗、深静脉血栓、肺癌、马凡综合征，"
            "近期手术，口服避孕药。HR 110，SpO2 92%，左臂190/110 右臂160/95")
    scores.compute(name, inputs(name, text))
