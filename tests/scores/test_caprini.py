"""Caprini 2005 with the Chinese guideline's bands, worked by hand."""

from __future__ import annotations

import pytest

from engine import scores
from engine.scores.caprini import FACTOR_POINTS


def caprini(age: float, factors: list[str]) -> dict:
    return scores.compute("caprini", {"age": age, "factors": factors}).to_dict()


@pytest.mark.parametrize(("age", "points"), [(40, 0), (40.9, 0), (41, 1), (60, 1), (61, 2),
                                             (74, 2), (75, 3), (100, 3)])
def test_age_brackets(age: float, points: int) -> None:
    assert caprini(age, [])["total"] == points


@pytest.mark.parametrize(("factor", "points"), [
    ("minor_surgery", 1), ("bmi_over_25", 1), ("pregnancy_loss_history", 1),
    ("major_surgery_45min", 2), ("central_venous_access", 2), ("malignancy", 2),
    ("history_vte", 3), ("hit", 3), ("factor_v_leiden", 3),
    ("arthroplasty", 5), ("hip_pelvis_leg_fracture", 5), ("spinal_cord_injury", 5),
])
def test_published_points(factor: str, points: int) -> None:
    assert caprini(30, [factor])["total"] == points


def test_every_factor_scores_one_two_three_or_five() -> None:
    assert set(FACTOR_POINTS.values()) == {1, 2, 3, 5}
    assert sum(1 for p in FACTOR_POINTS.values() if p == 5) == 5


@pytest.mark.parametrize(("age", "factors", "total", "band"), [
    (30, [], 0, "very_low"),
    (45, [], 1, "low"),
    (45, ["varicose_veins"], 2, "low"),
    (65, ["varicose_veins"], 3, "moderate"),
    (65, ["central_venous_access"], 4, "moderate"),
    (75, ["central_venous_access"], 5, "high"),
])
def test_band_edges(age: float, factors: list[str], total: int, band: str) -> None:
    result = caprini(age, factors)
    assert (result["total"], result["band"]) == (total, band)


def test_worked_example_hip_fracture_in_an_old_woman() -> None:
    # 82 (3), hip fracture (5), bed-bound > 72 h (2), BMI > 25 (1): 11, high.
    result = caprini(82, ["hip_pelvis_leg_fracture", "bed_confined_72h", "bmi_over_25"])
    assert (result["total"], result["band"]) == (11, "high")
