"""Properties over random valid inputs of every score.

- valid inputs, complete or not, never raise, and the result is JSON;
- a partial result's range holds the complete result once the missing inputs are filled in,
  and a band (or two-tier reading, ADvISED or EDACS-ADP verdict) given while partial is the
  one the complete result has;
- inputs the partial result does not list as missing cannot change the total.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import scores
from engine.scores import registry
from engine.scores.inputs import Choice, Flag, Input, Number, Subset


def values_of(spec: Input) -> st.SearchStrategy[Any]:
    """JSON values the input accepts."""
    if isinstance(spec, Flag):
        return st.booleans()
    if isinstance(spec, Choice):
        return st.sampled_from(spec.options)
    if isinstance(spec, Subset):
        return st.lists(st.sampled_from(spec.options), unique=True)
    assert isinstance(spec, Number)
    whole = st.integers(int(spec.lowest), int(spec.highest))
    if spec.whole:
        return whole
    return whole | st.floats(spec.lowest, spec.highest, allow_nan=False)


@st.composite
def complete_inputs(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(scores.names()))
    specs = registry.get(name).accepted()
    return name, {spec.name: draw(values_of(spec)) for spec in specs}


@st.composite
def full_and_partial(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, Any]]:
    name, full = draw(complete_inputs())
    kept = draw(st.sets(st.sampled_from(sorted(full))))
    return name, full, {key: full[key] for key in kept}


@settings(max_examples=400, deadline=None)
@given(full_and_partial())
def test_partial_range_holds_the_complete_result(case: tuple[str, dict, dict]) -> None:
    name, full, partial_inputs = case
    complete = scores.compute(name, full).to_dict()
    partial = scores.compute(name, partial_inputs).to_dict()
    json.dumps(partial, ensure_ascii=False)

    assert complete["complete"] is True and complete["missing"] == []
    assert complete["range"] == [complete["total"], complete["total"]]
    low, high = partial["range"]
    assert low <= complete["total"] <= high
    assert set(partial["missing"]) <= set(scores.input_names(name)) - set(partial_inputs)
    assert len(partial["questions"]) == len(partial["missing"])
    if partial["band"] is not None:
        assert partial["band"] == complete["band"]
    _same_when_decided(partial, complete)


def _same_when_decided(partial: dict[str, Any], complete: dict[str, Any]) -> None:
    if partial.get("two_tier") is not None:
        assert partial["two_tier"] == complete["two_tier"]
    if (partial.get("advised") or {}).get("result") is not None:
        assert partial["advised"]["result"] == complete["advised"]["result"]
    if (partial.get("edacs_adp") or {}).get("low_risk") is not None:
        assert partial["edacs_adp"]["low_risk"] == complete["edacs_adp"]["low_risk"]


@settings(max_examples=300, deadline=None)
@given(full_and_partial())
def test_only_the_missing_inputs_can_change_the_total(case: tuple[str, dict, dict]) -> None:
    name, full, partial_inputs = case
    complete = scores.compute(name, full).to_dict()
    partial = scores.compute(name, partial_inputs).to_dict()

    answered = {**partial_inputs, **{key: full[key] for key in partial["missing"]}}
    refilled = scores.compute(name, answered).to_dict()
    assert refilled["complete"] is True
    assert refilled["total"] == complete["total"]
    assert refilled["band"] == complete["band"]


@settings(max_examples=200, deadline=None)
@given(complete_inputs())
def test_complete_items_add_up(case: tuple[str, dict]) -> None:
    name, full = case
    result = scores.compute(name, full).to_dict()
    points = [item["points"] for item in result["items"]]
    if name in ("killip", "nyha"):
        assert result["total"] == max(points)
    else:
        assert result["total"] == sum(points)
