"""ADD-RS and the ADvISED D-dimer rule-out, worked by hand from Rogers 2011, Nazerian 2018."""

from __future__ import annotations

from typing import Any

import pytest

from engine import scores

NONE: dict[str, list[str]] = {"conditions": [], "pain": [], "exam": []}


def add_rs(**changes: Any) -> dict[str, Any]:
    return scores.compute("add_rs", {**NONE, **changes}).to_dict()


@pytest.mark.parametrize(("changes", "total", "band"), [
    ({}, 0, "low"),
    ({"pain": ["ripping_tearing"]}, 1, "intermediate"),
    ({"pain": ["abrupt_onset", "severe_intensity", "ripping_tearing"]}, 1, "intermediate"),
    ({"pain": ["abrupt_onset"], "exam": ["sbp_differential"]}, 2, "high"),
    ({"conditions": ["marfan_or_ctd"], "pain": ["abrupt_onset"],
      "exam": ["pulse_deficit", "hypotension_shock"]}, 3, "high"),
])
def test_one_point_per_category(changes: dict[str, Any], total: int, band: str) -> None:
    result = add_rs(**changes)
    assert (result["total"], result["band"]) == (total, band)


def test_no_advised_without_d_dimer() -> None:
    assert add_rs()["advised"] is None


@pytest.mark.parametrize(("changes", "d_dimer", "verdict"), [
    ({}, 499.9, "rule_out"),
    ({"pain": ["abrupt_onset"]}, 499.9, "rule_out"),
    ({"pain": ["abrupt_onset"]}, 500, "not_ruled_out"),
    ({"pain": ["abrupt_onset"], "exam": ["pulse_deficit"]}, 100, "not_ruled_out"),
])
def test_advised(changes: dict[str, Any], d_dimer: float, verdict: str) -> None:
    advised = add_rs(**changes, d_dimer_ng_ml_feu=d_dimer)["advised"]
    assert advised["result"] == verdict
    assert advised["d_dimer_ng_ml_feu"] == d_dimer


def test_advised_waits_when_missing_categories_could_reach_two() -> None:
    result = scores.compute("add_rs", {"pain": ["abrupt_onset"], "d_dimer_ng_ml_feu": 300})
    assert result.to_dict()["advised"]["result"] is None
    result = scores.compute("add_rs", {"pain": ["abrupt_onset"], "d_dimer_ng_ml_feu": 800})
    assert result.to_dict()["advised"]["result"] == "not_ruled_out"


def test_items_name_the_features_present() -> None:
    result = add_rs(exam=["focal_neuro_deficit", "pulse_deficit"])
    exam = next(item for item in result["items"] if item["input"] == "exam")
    assert exam["points"] == 1
    assert "focal_neuro_deficit" in exam["basis"] and "pulse_deficit" in exam["basis"]
