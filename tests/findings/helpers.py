"""Judging a case file's expectations against an assessment, as the bench does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SET_FIELDS = ("present", "absent", "character", "location", "radiation", "aggravating",
              "relieving", "history")
SCALAR_FIELDS = ("onset", "course", "sex", "duration_minutes", "age")


def own_cases(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HERE / name).read_text("utf-8").splitlines()
            if line.strip()]


def mismatches(case: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What the findings get wrong; fields the case does not name are not judged."""
    expect, ignore = case["expect"], set(case.get("ignore", []))
    findings = got["findings"]
    wrong = []
    for field in SET_FIELDS:
        if field in expect:
            want, have = set(expect[field]) - ignore, set(findings[field]) - ignore
            if want != have:
                wrong.append(f"{field}: missing {sorted(want - have)},"
                             f" extra {sorted(have - want)}")
    for field in SCALAR_FIELDS:
        if field in expect and findings[field] != expect[field]:
            wrong.append(f"{field}: expected {expect[field]!r}, got {findings[field]!r}")
    for key, value in expect.get("vitals", {}).items():
        if findings["vitals"][key] != value:
            wrong.append(f"vitals.{key}: expected {value}, got {findings['vitals'][key]}")
    for name, pinned in expect.get("scores", {}).items():
        for key, value in pinned.items():
            if got["scores"][name][key] != value:
                wrong.append(f"scores.{name}.{key}: expected {value},"
                             f" got {got['scores'][name][key]}")
    return wrong


def spans_cover(text: str, evidence: dict[str, list[list[int]]]) -> None:
    """Every span lies inside the text and covers at least one non-space character."""
    for key, spans in evidence.items():
        for start, end in spans:
            assert 0 <= start < end <= len(text), (key, start, end)
            assert text[start:end].strip(), (key, text[start:end])
