"""HEART: each element's brackets and the band edges, worked by hand from Backus 2013."""

from __future__ import annotations

from typing import Any

import pytest

from engine import scores

LOWEST = {"history": "slight", "ecg": "normal", "age": 30, "risk_factors": [],
          "atherosclerotic_disease": False, "troponin_ratio": 0.5}


def heart(**changes: Any) -> dict[str, Any]:
    return scores.compute("heart", {**LOWEST, **changes}).to_dict()


def test_worked_example_typical_low_risk() -> None:
    # 58-year-old, moderately suspicious history (1), normal ECG (0), age 45-64 (1),
    # smoker and hypertensive (1), troponin normal (0): 3, low.
    result = heart(history="moderate", age=58, risk_factors=["smoking", "hypertension"])
    assert (result["total"], result["band"], result["complete"]) == (3, "low", True)
    assert result["range"] == [3, 3]
    assert result["missing"] == [] and result["questions"] == []


def test_worked_example_high_risk() -> None:
    # 72 (2), highly suspicious (2), ST deviation (2), prior PCI (2), troponin 4x (2): 10.
    result = heart(history="high", ecg="st_deviation", age=72, atherosclerotic_disease=True,
                   troponin_ratio=4)
    assert (result["total"], result["band"]) == (10, "high")


@pytest.mark.parametrize(("age", "points"), [(44, 0), (44.9, 0), (45, 1), (64, 1), (64.9, 1),
                                             (65, 2), (130, 2), (0, 0)])
def test_age_brackets(age: float, points: int) -> None:
    assert heart(age=age)["total"] == points


@pytest.mark.parametrize(("ratio", "points"), [(0, 0), (1, 0), (1.01, 1), (3, 1), (3.01, 2)])
def test_troponin_brackets(ratio: float, points: int) -> None:
    assert heart(troponin_ratio=ratio)["total"] == points


@pytest.mark.parametrize(("factors", "points"), [
    ([], 0), (["diabetes"], 1), (["diabetes", "obesity"], 1),
    (["diabetes", "obesity", "smoking"], 2),
])
def test_risk_factor_counts(factors: list[str], points: int) -> None:
    assert heart(risk_factors=factors)["total"] == points


def test_atherosclerotic_disease_alone_scores_two_and_is_not_added_to_factors() -> None:
    result = heart(atherosclerotic_disease=True, risk_factors=["diabetes", "obesity", "smoking"])
    assert result["total"] == 2
    points = {item["input"]: item["points"] for item in result["items"]}
    assert points == {"history": 0, "ecg": 0, "age": 0, "atherosclerotic_disease": 2,
                      "risk_factors": 0, "troponin_ratio": 0}


@pytest.mark.parametrize(("changes", "total", "band"), [
    ({"history": "high", "ecg": "nonspecific"}, 3, "low"),
    ({"history": "high", "ecg": "st_deviation"}, 4, "moderate"),
    ({"history": "high", "ecg": "st_deviation", "age": 70}, 6, "moderate"),
    ({"history": "high", "ecg": "st_deviation", "age": 70, "troponin_ratio": 2}, 7, "high"),
])
def test_band_edges(changes: dict[str, Any], total: int, band: str) -> None:
    result = heart(**changes)
    assert (result["total"], result["band"]) == (total, band)


def test_items_sum_to_the_total_and_explain_in_chinese() -> None:
    result = heart(history="moderate", age=52, risk_factors=["hypertension"])
    assert sum(item["points"] for item in result["items"]) == result["total"]
    assert all("分" in item["basis"] for item in result["items"])


def test_with_atherosclerotic_disease_the_factor_list_is_not_asked() -> None:
    inputs = {key: value for key, value in LOWEST.items() if key != "risk_factors"}
    result = scores.compute("heart", {**inputs, "atherosclerotic_disease": True}).to_dict()
    assert result["complete"] is True
    assert result["total"] == 2


def test_known_high_elements_fix_the_band_while_troponin_is_pending() -> None:
    inputs = {"history": "high", "ecg": "st_deviation", "age": 70, "atherosclerotic_disease": True}
    result = scores.compute("heart", inputs).to_dict()
    assert (result["total"], result["range"], result["band"]) == (8, [8, 10], "high")
    assert result["missing"] == ["troponin_ratio"]
