"""TIMI UA/NSTEMI, worked by hand from Antman 2000."""

from __future__ import annotations

from typing import Any

import pytest

from engine import scores

NONE_MET = {"age": 50, "risk_factor_count": 0, "known_cad": False, "aspirin_7d": False,
            "severe_angina_24h": False, "st_deviation": False, "positive_marker": False}
FLAGS = ("known_cad", "aspirin_7d", "severe_angina_24h", "st_deviation", "positive_marker")


def timi(**changes: Any) -> dict[str, Any]:
    return scores.compute("timi", {**NONE_MET, **changes}).to_dict()


@pytest.mark.parametrize(("age", "points"), [(64, 0), (64.9, 0), (65, 1)])
def test_age_edge(age: float, points: int) -> None:
    assert timi(age=age)["total"] == points


@pytest.mark.parametrize(("count", "points"), [(2, 0), (3, 1), (5, 1)])
def test_risk_factor_edge(count: int, points: int) -> None:
    assert timi(risk_factor_count=count)["total"] == points


@pytest.mark.parametrize("flag", FLAGS)
def test_each_criterion_is_one_point(flag: str) -> None:
    assert timi(**{flag: True})["total"] == 1


@pytest.mark.parametrize(("met", "band"), [(0, "low"), (2, "low"), (3, "intermediate"),
                                           (4, "intermediate"), (5, "high"), (7, "high")])
def test_band_edges(met: int, band: str) -> None:
    changes: dict[str, Any] = {"age": 70, "risk_factor_count": 3}
    changes.update({flag: True for flag in FLAGS})
    chosen = dict(list(changes.items())[:met])
    result = timi(**chosen)
    assert (result["total"], result["band"]) == (met, band)


def test_worked_example_all_seven() -> None:
    # 70-year-old with 4 risk factors, known stenosis, aspirin, 3 episodes today,
    # 1 mm ST depression and a raised troponin: 7.
    result = timi(age=70, risk_factor_count=4, **{flag: True for flag in FLAGS})
    assert (result["total"], result["band"]) == (7, "high")
