"""Killip (1967) and NYHA classes from their published descriptions."""

from __future__ import annotations

from typing import Any

import pytest

from engine import scores

CLEAR = {"rales": "none", "s3_gallop": False, "jugular_venous_distension": False,
         "cardiogenic_shock": False}


def killip(**changes: Any) -> dict[str, Any]:
    return scores.compute("killip", {**CLEAR, **changes}).to_dict()


@pytest.mark.parametrize(("changes", "klass", "band"), [
    ({}, 1, "I"),
    ({"rales": "basal"}, 2, "II"),
    ({"s3_gallop": True}, 2, "II"),
    ({"jugular_venous_distension": True}, 2, "II"),
    ({"rales": "over_half"}, 3, "III"),
    ({"rales": "over_half", "s3_gallop": True}, 3, "III"),
    ({"cardiogenic_shock": True}, 4, "IV"),
    ({"cardiogenic_shock": True, "rales": "over_half"}, 4, "IV"),
])
def test_killip_classes(changes: dict[str, Any], klass: int, band: str) -> None:
    result = killip(**changes)
    assert (result["total"], result["band"]) == (klass, band)


def test_shock_alone_is_class_four_and_complete() -> None:
    result = scores.compute("killip", {"cardiogenic_shock": True}).to_dict()
    assert (result["total"], result["complete"], result["missing"]) == (4, True, [])


def test_killip_partial_range() -> None:
    result = scores.compute("killip", {"rales": "basal"}).to_dict()
    assert (result["total"], result["range"], result["band"]) == (2, [2, 4], None)
    assert result["missing"] == ["cardiogenic_shock"]  # S3 and JVP cannot move class II


@pytest.mark.parametrize(("inputs", "klass"), [
    ({"symptoms_at_rest": False, "exertion_limit": "none"}, 1),
    ({"symptoms_at_rest": False, "exertion_limit": "ordinary"}, 2),
    ({"symptoms_at_rest": False, "exertion_limit": "less_than_ordinary"}, 3),
    ({"symptoms_at_rest": True, "exertion_limit": "none"}, 4),
    ({"symptoms_at_rest": True}, 4),
])
def test_nyha_classes(inputs: dict[str, Any], klass: int) -> None:
    result = scores.compute("nyha", inputs).to_dict()
    assert (result["total"], result["band"], result["complete"]) == (
        klass, ["I", "II", "III", "IV"][klass - 1], True)


def test_nyha_asks_about_lying_flat_when_rest_is_unknown() -> None:
    result = scores.compute("nyha", {"exertion_limit": "ordinary"}).to_dict()
    assert result["range"] == [2, 4]
    [question] = result["questions"]
    assert question["input"] == "symptoms_at_rest"
    assert "平卧" in question["text"] and "枕头" in question["text"]
