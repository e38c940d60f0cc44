"""Every shared case and every case of our own files, judged field by field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.findings import assess
from tests.conftest import load_jsonl
from tests.findings.helpers import mismatches, own_cases, spans_cover

NOW = datetime(2024, 5, 1, 14, 0)
SHARED = load_jsonl("findings.jsonl")
OWN = [case for name in ("own_cases.jsonl", "own_cases_2.jsonl", "own_cases_3.jsonl",
                                "own_cases_4.jsonl", "own_cases_5.jsonl")
       for case in own_cases(name)]


def _check(case: dict[str, Any]) -> None:
    result = assess(case["text"], case["template"], now=NOW).to_dict()
    assert mismatches(case, result) == [], case["text"]
    spans_cover(case["text"], result["findings"]["evidence"])


@pytest.mark.parametrize("case", SHARED, ids=[c["id"] for c in SHARED])
def test_shared_case(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", OWN, ids=[c["id"] for c in OWN])
def test_own_case(case: dict[str, Any]) -> None:
    _check(case)


def test_the_judge_catches_a_wrong_answer() -> None:
    case = SHARED[0]
    result = assess(case["text"], case["template"], now=NOW).to_dict()
    result["findings"]["present"] = result["findings"]["present"][1:]
    result["findings"]["age"] = 1
    assert len(mismatches(case, result)) == 2
