"""EDACS and the EDACS-ADP, worked by hand from Than 2014."""

from __future__ import annotations

from typing import Any

import pytest

from engine import scores

WOMAN = {"age": 62, "sex": "female", "known_cad": False, "risk_factor_count": 0,
         "diaphoresis": False, "radiation": False, "pain_on_inspiration": False,
         "reproducible_by_palpation": False}


def edacs(**changes: Any) -> dict[str, Any]:
    return scores.compute("edacs", {**WOMAN, **changes}).to_dict()


@pytest.mark.parametrize(("age", "points"), [
    (18, 2), (45, 2), (46, 4), (50, 4), (51, 6), (55, 6), (56, 8), (60, 8), (61, 10), (65, 10),
    (66, 12), (70, 12), (71, 14), (75, 14), (76, 16), (80, 16), (81, 18), (85, 18), (86, 20),
    (104, 20), (45.9, 2),
])
def test_age_brackets(age: float, points: int) -> None:
    assert edacs(age=age)["total"] == points


def test_worked_example_man_of_48_with_three_risk_factors() -> None:
    # 48 (+4), male (+6), 18-50 with >= 3 risk factors (+4), diaphoresis (+3),
    # radiation (+5): 22, not low.
    result = edacs(age=48, sex="male", risk_factor_count=3, diaphoresis=True, radiation=True)
    assert (result["total"], result["band"]) == (22, "not_low")


def test_worked_example_pleuritic_reproducible_pain() -> None:
    # 30 (+2), male (+6), inspiration (-4), palpation (-6): -2, low.
    result = edacs(age=30, sex="male", pain_on_inspiration=True, reproducible_by_palpation=True)
    assert (result["total"], result["band"]) == (-2, "low")


@pytest.mark.parametrize(("age", "extra"), [(50, 4), (50.5, 4), (51, 0)])
def test_coronary_points_only_up_to_fifty(age: float, extra: int) -> None:
    plain = edacs(age=age)["total"]
    assert edacs(age=age, known_cad=True)["total"] - plain == extra
    assert edacs(age=age, risk_factor_count=3)["total"] - plain == extra
    assert edacs(age=age, known_cad=True, risk_factor_count=5)["total"] - plain == extra
    assert edacs(age=age, risk_factor_count=2)["total"] == plain


def test_band_edge_fifteen_is_low_sixteen_is_not() -> None:
    assert edacs(age=62, radiation=True)["band"] == "low"  # 10 + 5 = 15
    sixteen = edacs(age=76)  # 16
    assert (sixteen["total"], sixteen["band"]) == (16, "not_low")


def test_over_fifty_coronary_history_is_not_asked() -> None:
    inputs = {key: v for key, v in WOMAN.items() if key not in ("known_cad", "risk_factor_count")}
    result = scores.compute("edacs", inputs).to_dict()
    assert result["complete"] is True and result["missing"] == []


def test_age_unknown_counts_what_is_known_and_asks_for_age() -> None:
    inputs = {key: v for key, v in WOMAN.items() if key != "age"}
    result = scores.compute("edacs", {**inputs, "known_cad": True}).to_dict()
    assert result["total"] == 0
    assert result["range"] == [2 + 4, 20]
    assert result["missing"] == ["age"]
    assert result["band"] is None


def test_no_adp_without_its_inputs() -> None:
    assert edacs()["edacs_adp"] is None


@pytest.mark.parametrize(("changes", "low_risk", "missing"), [
    ({"new_ischemia": False, "troponin_0h_2h_negative": True}, True, []),
    ({"new_ischemia": True, "troponin_0h_2h_negative": True}, False, []),
    ({"new_ischemia": False, "troponin_0h_2h_negative": False}, False, []),
    ({"new_ischemia": False}, None, ["troponin_0h_2h_negative"]),
    ({"age": 76, "new_ischemia": False, "troponin_0h_2h_negative": True}, False, []),
])
def test_adp(changes: dict[str, Any], low_risk: bool | None, missing: list[str]) -> None:
    adp = edacs(**changes)["edacs_adp"]
    assert adp["low_risk"] is low_risk
    assert adp["missing"] == missing


def test_adp_waits_for_an_undecided_score() -> None:
    inputs = {"age": 62, "new_ischemia": False, "troponin_0h_2h_negative": True}
    adp = scores.compute("edacs", inputs).to_dict()["edacs_adp"]
    assert adp == {**adp, "low_risk": None, "missing": ["edacs"]}


def test_under_eighteen_is_refused() -> None:
    with pytest.raises(scores.OutOfRange, match=r"^edacs\.age: 17 is outside 18-130"):
        scores.compute("edacs", {"age": 17})
