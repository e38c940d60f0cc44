"""Templates as data: the seven public ones load, validate and use only known ids; unknown keys
and malformed values are refused; a doctor's own template round-trips through its folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine.findings import InvalidFindingsInput, UnknownTemplateId, assess, vocabulary
from engine.findings.conditions import check_template
from prompts import card_ids
from prompts.templates import (
    Condition,
    HistoryItem,
    TemplateError,
    UnknownTemplate,
    load_template,
    parse_template,
    public_ids,
    save_personal,
    template_ids,
)

SEVEN = ["chest_pain_general", "acs", "aortic_dissection", "pulmonary_embolism",
         "reflux_esophagitis", "pneumothorax", "costochondritis"]

MINIMAL = """
id = "mine"
title = "我的胸痛"
diagnosis = "胸痛待查"
scores = ["heart"]
"""


@pytest.mark.parametrize("template_id", SEVEN)
def test_public_template_loads_and_uses_known_ids(template_id: str) -> None:
    template = load_template(template_id)
    assert template.id == template_id and template.kind == "public"
    assert template.scores and template.workup and template.history and template.red_flags
    assert check_template(template, vocabulary()) == []


def test_templates_sit_beside_their_prompt_cards() -> None:
    assert sorted(public_ids()) == sorted(SEVEN)
    assert set(SEVEN) <= set(card_ids())


@pytest.mark.parametrize("template_id", SEVEN)
def test_public_template_survives_a_toml_round_trip(template_id: str) -> None:
    template = load_template(template_id)
    assert parse_template(template.to_toml(), kind="public") == template


@pytest.mark.parametrize(("extra", "message"), [
    ('colour = "red"', "unknown keys colour"),
    ('[[history]]\nid = "x"\ntext = "y"\nwhen = "z"', "unknown keys when"),
    ('[[red_flags]]\nid = "x"\ntext = "y"\nall = ["present:chest_pain"]\nlevel = "max"',
     "'level' must be one of"),
    ('[[red_flags]]\nid = "x"\ntext = "y"', "needs 'all' or 'any'"),
    ('[[red_flags]]\nid = "x"\ntext = "y"\nall = ["vitals:sbp <"]', "is not a condition"),
    ('[[reminders]]\nid = "x"\ntext = "y"', "either 'due_in_minutes' or 'troponin = true'"),
    ('[[reminders]]\nid = "x"\ntext = "y"\ndue_in_minutes = -5', "whole number 0-10080"),
    ('[[reminders]]\nid = "x"\ntext = "y"\ndue_in_minutes = true', "whole number 0-10080"),
    ('[[workup]]\nid = "Bad Id"\ntext = "y"', "lower-case id"),
])
def test_malformed_templates_are_refused(extra: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        parse_template(MINIMAL + extra)


@pytest.mark.parametrize(("raw", "message"), [
    ("id = 3", "lower-case id"),
    ("this is not toml", "not valid TOML"),
    ('id = "x"\ntitle = ""\ndiagnosis = "d"', "'title' must be non-empty text"),
    ('id = "x"\ntitle = "t"\ndiagnosis = "d"\nkind = "shared"', "'kind' must be one of"),
    ('id = "x"\ntitle = "t"\ndiagnosis = "d"\ndifferentials = ["a","b","c","d","e","f","g"]',
     "at most 6"),
])
def test_malformed_template_values(raw: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        parse_template(raw)


def test_engine_refuses_ids_the_vocabulary_does_not_know() -> None:
    template = parse_template(MINIMAL + '[[red_flags]]\nid = "x"\ntext = "y"\n'
                              'all = ["present:headache", "vitals:pulse > 3"]')
    problems = check_template(replace(template, scores=("heart", "apgar")), vocabulary())
    assert any("headache" in p for p in problems)
    assert any("vitals:pulse" in p for p in problems)
    assert any("apgar" in p for p in problems)


def test_unknown_template_lists_the_ids() -> None:
    with pytest.raises(UnknownTemplate, match="acs"):
        load_template("no_such_template")
    with pytest.raises(UnknownTemplate):
        load_template("../acs")


def test_personal_template_round_trip(tmp_path: Path) -> None:
    base = load_template("acs")
    mine = replace(base, id="my_acs", title="我的ACS", kind="personal",
                   history=(*base.history, HistoryItem("stress", "近期情绪应激", ())))
    path = save_personal(mine, tmp_path)
    assert path == tmp_path / "my_acs.toml"
    assert template_ids(tmp_path)[-1] == "my_acs"
    loaded = load_template("my_acs", tmp_path)
    assert loaded == mine

    result = assess("胸痛2小时", "my_acs", personal_folder=tmp_path)
    assert result.template.id == "my_acs"
    assert "stress" in [q.id for q in result.questions]


def test_personal_template_cannot_take_a_public_id(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="public"):
        save_personal(load_template("acs"), tmp_path)


def test_personal_template_in_the_data_folder(sentinel_home: Path) -> None:
    folder = sentinel_home / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "mine.toml").write_text(MINIMAL + 'kind = "personal"\n', "utf-8")
    assert assess("胸痛", "mine").template.title == "我的胸痛"


def test_broken_personal_templates_are_bad_input(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(InvalidFindingsInput, match="UTF-8"):
        assess("胸痛", "bad", personal_folder=tmp_path)
    (tmp_path / "odd.toml").write_text(MINIMAL.replace('"mine"', '"odd"') + 'kind = "personal"\n'
                                       '[[red_flags]]\nid = "x"\ntext = "y"\n'
                                       'all = ["present:headache"]\n', "utf-8")
    with pytest.raises(InvalidFindingsInput, match="headache"):
        assess("胸痛", "odd", personal_folder=tmp_path)
    with pytest.raises(UnknownTemplateId, match="chest_pain_general"):
        assess("胸痛", "nope", personal_folder=tmp_path)


def test_condition_text_round_trip() -> None:
    for text in ("present:chest_pain", "vitals:sbp < 90", "age >= 50", "arm_sbp_difference > 20",
                 "vitals:temp >= 38.5", "duration_minutes"):
        assert str(Condition.parse(text, "test")) == text
