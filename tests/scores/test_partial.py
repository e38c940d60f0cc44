"""Partial results: the range the missing inputs allow, the band, the questions."""

from __future__ import annotations

import re

import pytest

from engine import scores
from engine.scores import registry

# Range of each score with nothing known, worked from the point tables.
EMPTY_RANGES = {
    "heart": [0, 10],
    "edacs": [2 - 4 - 6, 20 + 6 + 3 + 5],  # youngest woman with both negatives / oldest man
    "timi": [0, 7],
    "wells_pe": [0, 12.5],
    "perc": [0, 8],
    "add_rs": [0, 3],
    "wells_dvt": [-2, 9],
    "padua": [0, 20],
    "caprini": [0, 3 + 15 + 2 * 7 + 3 * 9 + 5 * 5],
    "killip": [1, 4],
    "nyha": [1, 4],
}


@pytest.mark.parametrize("name", list(EMPTY_RANGES))
def test_nothing_known(name: str) -> None:
    result = scores.compute(name, {}).to_dict()
    assert result["range"] == EMPTY_RANGES[name]
    assert result["complete"] is False
    assert result["band"] is None
    assert result["items"] == []
    assert result["missing"] == [n for n in scores.input_names(name)
                                 if n in result["missing"]]  # in the input order
    assert [q["input"] for q in result["questions"]] == result["missing"]
    assert all(re.search(r"[\u4e00-\u9fff]", q["text"]) for q in result["questions"])


def test_total_counts_what_is_known() -> None:
    result = scores.compute("wells_pe", {"dvt_signs": True, "heart_rate": 120}).to_dict()
    assert result["total"] == 4.5
    assert result["range"] == [4.5, 12.5]
    assert result["missing"] == ["pe_most_likely", "immobilization_or_surgery", "prior_vte",
                                 "hemoptysis", "malignancy"]


def test_band_is_given_when_the_whole_range_is_in_one_band() -> None:
    # Caprini: age 80 (3) and a hip fracture (5) are high whatever else is found.
    result = scores.compute("caprini", {"age": 80}).to_dict()
    assert result["band"] is None
    result = scores.compute("caprini", {"factors": ["hip_pelvis_leg_fracture"]}).to_dict()
    assert (result["band"], result["range"], result["complete"]) == ("high", [5, 8], False)


def test_null_counts_as_missing() -> None:
    result = scores.compute("heart", {"history": "high", "troponin_ratio": None}).to_dict()
    assert "troponin_ratio" in result["missing"]
    assert all(item["input"] != "troponin_ratio" for item in result["items"])


def test_extras_are_never_missing() -> None:
    result = scores.compute("add_rs", {"conditions": [], "pain": [], "exam": []}).to_dict()
    assert result["complete"] is True
    assert "d_dimer_ng_ml_feu" not in result["missing"]


def test_filling_the_missing_inputs_completes_the_result() -> None:
    partial = scores.compute("perc", {"age": 30, "heart_rate": 80, "spo2": 99}).to_dict()
    filled = {"age": 30, "heart_rate": 80, "spo2": 99}
    filled.update({name: False for name in partial["missing"]})
    complete = scores.compute("perc", filled).to_dict()
    assert complete["complete"] is True
    assert partial["range"][0] <= complete["total"] <= partial["range"][1]
    assert (complete["band"], complete["questions"]) == ("negative", [])


def test_the_result_is_json_with_exactly_the_contract_keys() -> None:
    base = {"score", "version", "total", "band", "complete", "range", "missing", "items",
            "questions", "citation"}
    extra = {"wells_pe": {"two_tier"}, "add_rs": {"advised"}, "edacs": {"edacs_adp"}}
    for name in scores.names():
        result = scores.compute(name, {}).to_dict()
        assert set(result) == base | extra.get(name, set()), name
        assert set(registry.get(name).extra_keys) == extra.get(name, set())
