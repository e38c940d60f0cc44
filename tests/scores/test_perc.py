"""PERC, worked by hand from Kline 2004."""

from __future__ import annotations

from typing import Any

import pytest

from engine import scores

NONE_MET = {"age": 40, "heart_rate": 80, "spo2": 98, "unilateral_leg_swelling": False,
            "hemoptysis": False, "recent_surgery_or_trauma": False, "prior_vte": False,
            "hormone_use": False}


def perc(**changes: Any) -> dict[str, Any]:
    return scores.compute("perc", {**NONE_MET, **changes}).to_dict()


@pytest.mark.parametrize(("changes", "met"), [
    ({"age": 49}, 0), ({"age": 49.9}, 0), ({"age": 50}, 1),
    ({"heart_rate": 99}, 0), ({"heart_rate": 99.5}, 0), ({"heart_rate": 100}, 1),
    ({"spo2": 95}, 0), ({"spo2": 94.9}, 1), ({"spo2": 94}, 1),
])
def test_numeric_edges(changes: dict[str, Any], met: int) -> None:
    assert perc(**changes)["total"] == met


@pytest.mark.parametrize("flag", ["unilateral_leg_swelling", "hemoptysis",
                                  "recent_surgery_or_trauma", "prior_vte", "hormone_use"])
def test_each_flag_is_a_criterion(flag: str) -> None:
    result = perc(**{flag: True})
    assert (result["total"], result["band"]) == (1, "positive")


def test_none_met_is_negative() -> None:
    result = perc()
    assert (result["total"], result["band"]) == (0, "negative")


def test_worked_example_all_eight() -> None:
    result = perc(age=70, heart_rate=120, spo2=88, unilateral_leg_swelling=True,
                  hemoptysis=True, recent_surgery_or_trauma=True, prior_vte=True,
                  hormone_use=True)
    assert (result["total"], result["band"]) == (8, "positive")


def test_one_criterion_met_makes_it_positive_whatever_is_missing() -> None:
    result = scores.compute("perc", {"age": 72}).to_dict()
    assert (result["band"], result["complete"], result["range"]) == ("positive", False, [1, 8])
