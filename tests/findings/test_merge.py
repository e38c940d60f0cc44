"""Merging a model's extraction: kept only with a verbatim quote, dropped and logged (at DEBUG,
without patient text) otherwise, and never allowed to remove what the rules found."""

from __future__ import annotations

import json
import logging

import pytest

from engine.findings import assess, extract, rescore
from engine.findings.merge import extraction_schema, find_quote, merge

TEXT = "男，64岁，胸部不适2小时，伴出汗，无发热"


def item(field: str, value: str, quote: str) -> dict[str, str]:
    return {"field": field, "value": value, "quote": quote}


def test_schema_is_bounded_json_schema() -> None:
    schema = extraction_schema()
    json.dumps(schema)
    items = schema["properties"]["findings"]
    assert items["maxItems"] <= 60
    properties = items["items"]["properties"]
    assert properties["quote"]["maxLength"] <= 80 and properties["value"]["maxLength"] <= 40
    assert {"present", "absent", "history", "duration_minutes", "hr", "sbp_left"} <= \
        set(properties["field"]["enum"])
    assert items["items"]["additionalProperties"] is False


def test_a_quoted_finding_is_kept_with_its_span() -> None:
    rules = extract(TEXT)
    assert "chest_pain" not in rules.present  # 胸部不适 is not a word the rules know
    merged = merge(rules, [item("present", "chest_pain", "胸部不适")], TEXT)
    assert "chest_pain" in merged.present
    start, end = merged.evidence["present:chest_pain"][0]
    assert TEXT[start:end] == "胸部不适"
    assert "chest_pain" not in rules.present  # the rules' findings are not changed in place


def test_a_quote_matches_across_spaces_and_full_width() -> None:
    text = "胸 部 不 适 ２ 小 时"
    assert find_quote("胸部不适", text) == (0, 7)
    assert find_quote("2小时", text) == (8, 13)
    assert find_quote("胸痛", text) is None


def test_an_unquoted_finding_is_dropped_and_logged_without_patient_text(
        caplog: pytest.LogCaptureFixture) -> None:
    rules = extract(TEXT)
    with caplog.at_level(logging.DEBUG, logger="engine.findings.merge"):
        merged = merge(rules, [item("present", "syncope", "晕倒在地")], TEXT)
    assert "syncope" not in merged.present
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    assert "quote does not occur" in caplog.records[0].getMessage()
    assert "晕倒" not in caplog.text and "胸部" not in caplog.text


def test_the_model_never_removes_a_rules_finding() -> None:
    rules = extract(TEXT)
    merged = merge(rules, [item("absent", "diaphoresis", "伴出汗"),
                           item("present", "fever", "发热"),
                           item("age", "65", "64岁")], TEXT)
    assert merged.present == rules.present and "diaphoresis" in merged.present
    assert "fever" in merged.absent and "fever" not in merged.present
    assert merged.age == 64


def test_the_model_fills_what_the_rules_left_unknown() -> None:
    text = "病人六十来岁，胸口堵得难受"
    rules = extract(text)
    merged = merge(rules, [item("age", "60", "六十来岁"), item("sex", "male", "病人")], text)
    assert (merged.age, merged.sex) == (60, "male")
    assert text[slice(*merged.evidence["age"][0])] == "六十来岁"


@pytest.mark.parametrize("bad", [
    "not a dict", {"field": "present"}, item("mood", "happy", "胸部不适"),
    item("present", "headache", "胸部不适"), item("age", "two hundred", "64岁"),
    item("hr", "400", "64岁"), item("present", "chest_pain", "胸"),
    item("present", "chest_pain", "胸" * 100), {"field": 1, "value": [], "quote": None},
])
def test_malformed_items_are_dropped(bad: object) -> None:
    rules = extract(TEXT)
    merged = merge(rules, [bad], TEXT)  # type: ignore[list-item]
    assert merged.to_dict() == rules.to_dict()


def test_a_non_list_answer_changes_nothing() -> None:
    rules = extract(TEXT)
    assert merge(rules, {"findings": []}, TEXT).to_dict() == rules.to_dict()  # type: ignore[arg-type]


def test_merged_findings_are_scored_again() -> None:
    text = "男，64岁，胸部不适2小时，伴出汗"
    rules = assess(text, "acs")
    merged = merge(rules.findings, [item("present", "chest_pain", "胸部不适"),
                                    item("character", "pressure", "胸部不适")], text)
    again = rescore(rules, merged)
    assert again.scores["heart"].total > rules.scores["heart"].total  # history now suspicious
    assert "chest_pain_diaphoresis" in [flag.id for flag in again.red_flags]
    assert (again.text, again.template, again.now) == (rules.text, rules.template, rules.now)
