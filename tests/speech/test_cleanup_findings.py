"""The findings extractor reads dictation the same before and after the clean-up.

The doctor may keep Vosk's words as they came or the cleaned text; either way the findings
must not change. Every finding of the cleaned text also carries spans into the cleaned text.
"""

from __future__ import annotations

import pytest

from engine.findings import extract
from engine.speech.cleanup import clean_text
from tests.conftest import load_jsonl

SAME = ("present", "absent", "duration_minutes", "age", "sex", "character", "radiation")

DICTATED = [
    "持续 胸痛 两 个 小时 伴 出汗 没有 发烧",
    "胸口 像 石头 压 着 一样 疼 二十 分钟 出汗 往 下巴 放射 有 高血压 抽烟",
    "男 六十二 岁 持续 胸痛 三 小时 压榨 样 伴 冷汗 血压 一百六十 九十五 心率 一百一十",
    "女 五十八 岁 胸闷 一 天 血氧 九十二 呼吸 二十四 次 每 分",
    "男 四十五 岁 突发 胸痛 撕裂 样 放射 到 后背 三十 分钟",
    "间断 胸闷 一 周 活动 后 加重 休息 后 缓解",
]
SHARED = [case for case in load_jsonl("findings.jsonl") if " " in case["text"]]


@pytest.mark.parametrize("raw", DICTATED + [case["text"] for case in SHARED])
def test_raw_and_cleaned_dictation_give_the_same_findings(raw: str) -> None:
    cleaned = clean_text(raw)

    before, after = extract(raw).to_dict(), extract(cleaned).to_dict()

    for field in SAME:
        assert after.get(field) == before.get(field), field
    for name, value in before["vitals"].items():
        if value is not None:
            assert after["vitals"][name] == value, name


def test_cleaned_vitals_are_read_in_full() -> None:
    said = "男 六十二 岁 血压 一百六十 九十五 心率 一百一十 体温 三十八 点 五"

    findings = extract(clean_text(said))

    vitals = findings.to_dict()["vitals"]
    assert (vitals["sbp"], vitals["dbp"], vitals["hr"], vitals["temp"]) == (160, 95, 110, 38.5)


@pytest.mark.parametrize("case", SHARED, ids=[case["id"] for case in SHARED])
def test_the_shared_cases_expectations_hold_on_the_cleaned_text(case: dict) -> None:
    found = extract(clean_text(case["text"])).to_dict()

    for field in ("present", "absent", "duration_minutes", "age", "sex"):
        if field in case["expect"]:
            expected, got = case["expect"][field], found[field]
            ignored = set(case.get("ignore", []))
            if isinstance(expected, list):
                assert set(expected) - ignored <= set(got) - ignored, field
            else:
                assert got == expected, field
