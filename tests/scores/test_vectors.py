"""Every hand-worked case in ../shared/cases/scores.jsonl gives the result it pins down."""

from __future__ import annotations

import pytest

from engine import scores
from tests.conftest import load_jsonl

CASES = load_jsonl("scores.jsonl")
RESULT_KEYS = {"score", "version", "total", "band", "complete", "range", "missing", "items",
               "questions", "citation", "two_tier", "advised", "edacs_adp"}


def test_the_case_file_is_not_empty() -> None:
    assert len(CASES) >= 11
    assert {case["score"] for case in CASES} <= set(scores.names())


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_shared_case(case: dict) -> None:
    result = scores.compute(case["score"], case["inputs"]).to_dict()

    assert set(case["expect"]) <= RESULT_KEYS
    for key, expected in case["expect"].items():
        assert result[key] == expected, f"{case['id']}: {key}"
