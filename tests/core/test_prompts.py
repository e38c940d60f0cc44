"""Prompt cards: validated data, strict rendering, versions that follow every change."""

from __future__ import annotations

import pytest

from prompts import MissingVariables, UnknownCard, UnknownVariables, card_ids, load_card
from prompts.cards import CardError, parse_card

TEMPLATES = ["acs", "aortic_dissection", "chest_pain_general", "costochondritis",
             "pneumothorax", "pulmonary_embolism", "reflux_esophagitis"]
VARIABLES = {"findings": "F", "knowledge": "K", "patient_text": "持续左胸痛3小时"}

MINIMAL = '''
id = "x"
title = "X"
role = "角色"
task = "任务 {{patient_text}}"
rules = ["规则"]
variables = ["patient_text"]
'''


def test_there_is_a_card_for_each_template() -> None:
    assert card_ids() == TEMPLATES


@pytest.mark.parametrize("card_id", TEMPLATES)
def test_each_card_renders_in_five_parts_with_the_patient_last(card_id: str) -> None:
    rendered = load_card(card_id).render(VARIABLES)
    positions = [rendered.prefix.index(f"【{part}】") for part in ("角色", "任务", "规则",
                                                                  "示例", "备注")]
    assert positions == sorted(positions)
    assert rendered.text.endswith(VARIABLES["patient_text"])
    assert VARIABLES["patient_text"] not in rendered.prefix


def test_the_prefix_is_the_same_for_every_patient() -> None:
    card = load_card("acs")
    one = card.render(VARIABLES)
    other = card.render({**VARIABLES, "patient_text": "突发胸痛", "findings": "G"})
    assert one.prefix == other.prefix and one.patient != other.patient


def test_versions_differ_between_cards_and_follow_changes() -> None:
    versions = {load_card(c).version for c in TEMPLATES}
    assert len(versions) == len(TEMPLATES)
    assert parse_card(MINIMAL).version != parse_card(MINIMAL.replace("规则", "规则2")).version
    assert parse_card(MINIMAL).version == parse_card(MINIMAL + "\n").version


def test_missing_and_unknown_variables_are_named() -> None:
    card = load_card("acs")
    with pytest.raises(MissingVariables) as missing:
        card.render({"patient_text": "x"})
    assert missing.value.names == ["findings", "knowledge"]
    with pytest.raises(UnknownVariables) as unknown:
        card.render({**VARIABLES, "age": "60"})
    assert unknown.value.names == ["age"]


def test_patient_text_cannot_inject_placeholders() -> None:
    card = parse_card(MINIMAL)
    rendered = card.render({"patient_text": "{{patient_text}} 胸痛"})
    assert "{{patient_text}} 胸痛" in rendered.prefix


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: s + 'colour = "red"\n', "unknown keys colour"),
    (lambda s: s.replace('role = "角色"', 'role = ""'), "'role' must be non-empty"),
    (lambda s: s.replace('rules = ["规则"]', 'rules = "规则"'), "'rules' must be a list"),
    (lambda s: s.replace("{{patient_text}}", "{{age}}"), "not declared"),
    (lambda s: s.replace("{{patient_text}}", "{{patient_text}"), "malformed placeholder"),
    (lambda s: s + '[[examples]]\ninput = "a"\noutput = "not json"\n', "not JSON"),
    (lambda s: s.replace("id =", "id ="), None),
    (lambda s: "id = ", "not valid TOML"),
])
def test_malformed_cards_are_refused(change: object, message: str | None) -> None:
    text = change(MINIMAL)  # type: ignore[operator]
    if message is None:
        assert parse_card(text).id == "x"
        return
    with pytest.raises(CardError, match=message):
        parse_card(text)


@pytest.mark.parametrize("card_id", ["nope", "", "../acs", "ACS"])
def test_unknown_cards_list_the_known_ones(card_id: str) -> None:
    with pytest.raises(UnknownCard, match="acs"):
        load_card(card_id)


def test_messages_put_everything_in_one_user_turn_by_default() -> None:
    rendered = load_card("acs").render(VARIABLES)
    assert [m["role"] for m in rendered.messages()] == ["user"]
    assert [m["role"] for m in rendered.messages(system_role=True)] == ["system", "user"]
