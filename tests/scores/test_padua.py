"""Padua prediction score, worked by hand from Barbar 2010."""

from __future__ import annotations

import pytest

from engine import scores
from engine.scores.padua import FACTOR_POINTS


def padua(age: float, factors: list[str]) -> dict:
    return scores.compute("padua", {"age": age, "factors": factors}).to_dict()


@pytest.mark.parametrize(("age", "points"), [(69, 0), (69.9, 0), (70, 1), (95, 1)])
def test_age_edge(age: float, points: int) -> None:
    assert padua(age, [])["total"] == points


@pytest.mark.parametrize(("factor", "points"), [
    ("active_cancer", 3), ("previous_vte", 3), ("reduced_mobility", 3), ("thrombophilia", 3),
    ("recent_trauma_or_surgery", 2), ("heart_or_respiratory_failure", 1),
    ("acute_mi_or_stroke", 1), ("acute_infection_or_rheumatologic", 1), ("obesity", 1),
    ("hormonal_treatment", 1),
])
def test_published_points(factor: str, points: int) -> None:
    assert padua(50, [factor])["total"] == points


@pytest.mark.parametrize(("age", "factors", "total", "band"), [
    (50, ["recent_trauma_or_surgery", "obesity"], 3, "low"),
    (75, ["recent_trauma_or_surgery", "obesity"], 4, "high"),
    (50, ["active_cancer", "obesity"], 4, "high"),
    (50, [], 0, "low"),
])
def test_band_edge_at_four(age: float, factors: list[str], total: int, band: str) -> None:
    result = padua(age, factors)
    assert (result["total"], result["band"]) == (total, band)


def test_everything_present() -> None:
    assert padua(80, list(FACTOR_POINTS))["total"] == 3 * 4 + 2 + 1 * 5 + 1
