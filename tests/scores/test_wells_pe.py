"""Wells PE, three and two levels, worked by hand from Wells 2000."""

from __future__ import annotations

from typing import Any

import pytest

from engine import scores

NONE_MET = {"dvt_signs": False, "pe_most_likely": False, "heart_rate": 80,
            "immobilization_or_surgery": False, "prior_vte": False, "hemoptysis": False,
            "malignancy": False}


def wells(**changes: Any) -> dict[str, Any]:
    return scores.compute("wells_pe", {**NONE_MET, **changes}).to_dict()


@pytest.mark.parametrize(("rate", "points"), [(100, 0), (100.5, 1.5), (101, 1.5)])
def test_heart_rate_over_a_hundred(rate: float, points: float) -> None:
    assert wells(heart_rate=rate)["total"] == points


@pytest.mark.parametrize(("changes", "total", "band", "two_tier"), [
    ({}, 0, "low", "unlikely"),
    ({"prior_vte": True}, 1.5, "low", "unlikely"),
    ({"hemoptysis": True, "malignancy": True}, 2, "moderate", "unlikely"),
    ({"dvt_signs": True, "malignancy": True}, 4, "moderate", "unlikely"),
    ({"dvt_signs": True, "prior_vte": True}, 4.5, "moderate", "likely"),
    ({"dvt_signs": True, "pe_most_likely": True}, 6, "moderate", "likely"),
    ({"dvt_signs": True, "pe_most_likely": True, "prior_vte": True}, 7.5, "high", "likely"),
])
def test_band_edges(changes: dict[str, Any], total: float, band: str, two_tier: str) -> None:
    result = wells(**changes)
    assert (result["total"], result["band"], result["two_tier"]) == (total, band, two_tier)


def test_six_is_moderate_six_and_a_half_is_high() -> None:
    # 3 + 1.5 + 1.5 = 6, moderate; 3 + 1.5 + 1 + 1 = 6.5, high.
    six = wells(dvt_signs=True, prior_vte=True, immobilization_or_surgery=True)
    assert (six["total"], six["band"]) == (6, "moderate")
    half = wells(pe_most_likely=True, prior_vte=True, hemoptysis=True, malignancy=True)
    assert (half["total"], half["band"]) == (6.5, "high")


def test_worked_example_all_criteria() -> None:
    result = wells(dvt_signs=True, pe_most_likely=True, heart_rate=130,
                   immobilization_or_surgery=True, prior_vte=True, hemoptysis=True,
                   malignancy=True)
    assert (result["total"], result["band"], result["two_tier"]) == (12.5, "high", "likely")


def test_two_tier_is_open_while_the_missing_inputs_straddle_four() -> None:
    result = scores.compute("wells_pe", {"dvt_signs": True}).to_dict()
    assert result["range"] == [3, 12.5]
    assert result["two_tier"] is None
    result = scores.compute("wells_pe", {"dvt_signs": True, "pe_most_likely": True}).to_dict()
    assert result["two_tier"] == "likely"
