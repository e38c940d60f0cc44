"""Modified Wells DVT, worked by hand from Wells 2003."""

from __future__ import annotations

from typing import Any

import pytest

from engine import scores

PLUS_ONE = ("active_cancer", "bedridden_or_surgery", "calf_swelling_3cm", "collateral_veins",
            "entire_leg_swollen", "localized_tenderness", "pitting_edema", "paralysis_or_cast",
            "prior_dvt")
NONE_MET = {name: False for name in (*PLUS_ONE, "alternative_diagnosis_likely")}


def wells(**changes: Any) -> dict[str, Any]:
    return scores.compute("wells_dvt", {**NONE_MET, **changes}).to_dict()


@pytest.mark.parametrize("name", PLUS_ONE)
def test_each_criterion_is_one_point(name: str) -> None:
    assert wells(**{name: True})["total"] == 1


@pytest.mark.parametrize(("changes", "total", "band"), [
    ({}, 0, "unlikely"),
    ({"active_cancer": True}, 1, "unlikely"),
    ({"active_cancer": True, "pitting_edema": True}, 2, "likely"),
    ({"alternative_diagnosis_likely": True}, -2, "unlikely"),
    ({"active_cancer": True, "pitting_edema": True, "alternative_diagnosis_likely": True},
     0, "unlikely"),
    ({name: True for name in PLUS_ONE}, 9, "likely"),
])
def test_band_edges(changes: dict[str, Any], total: int, band: str) -> None:
    result = wells(**changes)
    assert (result["total"], result["band"]) == (total, band)


def test_worked_example_calf_swelling_with_alternative() -> None:
    # Swollen calf (+1), pitting oedema (+1), tender veins (+1), cellulitis as likely (-2): 1.
    result = wells(calf_swelling_3cm=True, pitting_edema=True, localized_tenderness=True,
                   alternative_diagnosis_likely=True)
    assert (result["total"], result["band"]) == (1, "unlikely")
    alternative = next(i for i in result["items"] if i["input"] == "alternative_diagnosis_likely")
    assert alternative["points"] == -2
