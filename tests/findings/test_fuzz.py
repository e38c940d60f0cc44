"""Random and adversarial Unicode into assess and compose: no exception escapes, and every
evidence span lies inside the input."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.drafting.composer import compose
from engine.drafting.model import DraftContent
from engine.findings import assess

NOW = datetime(2024, 5, 1, 14, 0)
TEMPLATES = ["chest_pain_general", "acs", "aortic_dissection", "pulmonary_embolism",
             "reflux_esophagitis", "pneumothorax", "costochondritis"]

# Pieces the extractor reacts to, so random joins reach deep into its rules.
FRAGMENTS = [
    "胸痛", "胸口", "疼", "压着", "无", "否认", "不伴", "没有", "、", "及", "和", "，", "。", "但",
    "伴", "有", "放射", "向", "至", "左上肢", "后背", "下巴", "父亲", "55岁", "时", "心梗", "男",
    "女", "岁", "三", "四十", "两个", "半天", "小时", "分钟", "天", "周", "月", "年", "BP",
    "160/95", "mmHg", "心率", "HR", "P", "SpO2", "%", "T", "37.2", "℃", "度", "左臂", "右臂",
    "190/110", "既往体健", "戒烟", "(-)", "有无", "今晨", "7点", ":", "开始", " ", "\n", "\u200b",
    "\u0000", "\ufeff", "１２０", "ＢＰ", "撕裂样", "突发", "持续", "间断", "休息后缓解",
    "与活动无关", "99999999999", "一百二", "零", "点", "\U0001f600", "\u202e", "ｍｍＨｇ",
]
adversarial = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
texts = st.one_of(st.text(max_size=300), adversarial,
                  st.text(alphabet=st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF),
                          max_size=200))


def _check(text: str, template: str) -> None:
    result = assess(text, template, now=NOW)
    data = result.to_dict()
    for spans in data["findings"]["evidence"].values():
        for start, end in spans:
            assert 0 <= start <= end <= len(text)
    for flag in data["red_flags"]:
        for start, end in flag["evidence"]:
            assert 0 <= start <= end <= len(text)
    content = compose(result, template, NOW, troponin_protocol="0h1h")
    assert isinstance(content, DraftContent)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.sampled_from(TEMPLATES))
def test_assess_and_compose_never_raise(text: str, template: str) -> None:
    _check(text, template)


@settings(max_examples=60, deadline=None)
@given(texts, st.dictionaries(st.sampled_from(["hr", "sbp", "dbp", "spo2", "sbp_left"]),
                              st.integers(min_value=40, max_value=100), max_size=4))
def test_with_triage_vitals(text: str, vitals: dict[str, int]) -> None:
    result = assess(text, "aortic_dissection", vitals=vitals, now=NOW)
    compose(result, "aortic_dissection", NOW, troponin_protocol="0h2h")
