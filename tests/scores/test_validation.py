"""Wrong inputs are errors that name the field; missing ones are not errors."""

from __future__ import annotations

import math
from typing import Any

import pytest

from engine import scores
from engine.errors import BadInput

CASES: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    # (score, inputs, error class, start of the message)
    ("heart", {"agee": 50}, scores.UnknownInput, "heart.agee: not an input of heart"),
    ("heart", {"age": "52"}, scores.WrongType, "heart.age: expected a number"),
    ("heart", {"age": True}, scores.WrongType, "heart.age: expected a number"),
    ("heart", {"age": -1}, scores.OutOfRange, "heart.age: -1 is outside 0-130"),
    ("heart", {"age": 131}, scores.OutOfRange, "heart.age: 131 is outside 0-130"),
    ("heart", {"age": math.nan}, scores.OutOfRange, "heart.age: nan is not a finite number"),
    ("heart", {"age": math.inf}, scores.OutOfRange, "heart.age: inf is not a finite number"),
    ("heart", {"age": 10**400}, scores.OutOfRange,
     "heart.age: a number too large to be real is outside"),
    ("heart", {"history": "very"}, scores.UnknownChoice, "heart.history: 'very' is not one of"),
    ("heart", {"history": 2}, scores.WrongType, "heart.history: expected one of"),
    ("heart", {"risk_factors": "diabetes"}, scores.WrongType,
     "heart.risk_factors: expected a list"),
    ("heart", {"risk_factors": ["gout"]}, scores.UnknownChoice,
     "heart.risk_factors: 'gout' is not one of"),
    ("heart", {"risk_factors": ["diabetes", "diabetes"]}, scores.UnknownChoice,
     "heart.risk_factors: 'diabetes' is listed twice"),
    ("heart", {"risk_factors": [1]}, scores.WrongType, "heart.risk_factors: list items"),
    ("heart", {"atherosclerotic_disease": 1}, scores.WrongType,
     "heart.atherosclerotic_disease: expected true or false, got 1"),
    ("heart", {"atherosclerotic_disease": "yes"}, scores.WrongType,
     "heart.atherosclerotic_disease: expected true or false"),
    ("heart", {"troponin_ratio": -0.1}, scores.OutOfRange, "heart.troponin_ratio: -0.1"),
    ("wells_pe", {"heart_rate": -5}, scores.OutOfRange, "wells_pe.heart_rate: -5 is outside"),
    ("perc", {"spo2": 101}, scores.OutOfRange, "perc.spo2: 101 is outside 0-100"),
    ("perc", {"spo2": [97]}, scores.WrongType, "perc.spo2: expected a number"),
    ("timi", {"risk_factor_count": 2.5}, scores.WrongType,
     "timi.risk_factor_count: expected a whole number"),
    ("timi", {"risk_factor_count": 6}, scores.OutOfRange, "timi.risk_factor_count: 6"),
    ("timi", {"risk_factor_count": False}, scores.WrongType, "timi.risk_factor_count"),
    ("edacs", {"sex": "M"}, scores.UnknownChoice, "edacs.sex: 'M' is not one of male, female"),
    ("edacs", {"new_ischemia": 0}, scores.WrongType, "edacs.new_ischemia: expected true"),
    ("add_rs", {"d_dimer_ng_ml_feu": -1}, scores.OutOfRange, "add_rs.d_dimer_ng_ml_feu"),
    ("add_rs", {"exam": {"pulse_deficit": True}}, scores.WrongType, "add_rs.exam: expected"),
    ("killip", {"rales": "bibasal"}, scores.UnknownChoice, "killip.rales: 'bibasal'"),
    ("nyha", {"class": 3}, scores.UnknownInput, "nyha.class: not an input of nyha"),
]


@pytest.mark.parametrize(("name", "inputs", "error", "start"), CASES,
                         ids=[f"{c[0]}-{next(iter(c[1]))}-{c[2].__name__}" for c in CASES])
def test_bad_input_names_the_field(name: str, inputs: dict, error: type, start: str) -> None:
    with pytest.raises(error) as caught:
        scores.compute(name, inputs)
    assert str(caught.value).startswith(start)
    assert isinstance(caught.value, BadInput)
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)


def test_an_unknown_score_is_bad_input() -> None:
    with pytest.raises(scores.UnknownScore, match=r"^score: 'apgar' is not a score"):
        scores.compute("apgar", {})


def test_inputs_must_be_an_object() -> None:
    with pytest.raises(scores.WrongType, match=r"^heart: inputs must be a JSON object"):
        scores.compute("heart", [("age", 50)])  # type: ignore[arg-type]


def test_a_long_wrong_value_is_shortened_in_the_message() -> None:
    with pytest.raises(scores.WrongType) as caught:
        scores.compute("heart", {"age": "x" * 10_000})
    assert len(str(caught.value)) < 200


def test_whole_floats_are_accepted_for_counts() -> None:
    result = scores.compute("timi", {"risk_factor_count": 3.0}).to_dict()
    assert result["items"][0]["points"] == 1
