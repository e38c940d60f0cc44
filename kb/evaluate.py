"""Measuring retrieval: recall@k and mean reciprocal rank over a file of test queries.

Each line of the file is a JSON object:
`{"query": "...", "expect_sources": ["file name", ...], "department"?: "...", "level"?: "..."}`.
A query counts as found when any expected source is among its first k hits; its reciprocal
rank is 1 / the rank of the first such hit (0 when none is in the first k).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import BadEvalFile
from kb.retrieval import SearchResult
from kb.store import SearchFilter

FIELDS = {"query", "expect_sources", "department", "level"}
MAX_LINES = 10_000


@dataclass(frozen=True)
class EvalCase:
    line: int
    query: str
    expect_sources: tuple[str, ...]
    search_filter: SearchFilter


@dataclass
class EvalReport:
    k: int
    n: int
    recall_at_k: float
    mrr: float
    misses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"recall_at_k": self.recall_at_k, "mrr": self.mrr, "k": self.k, "n": self.n}


def _case(number: int, text: str, where: str) -> EvalCase:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadEvalFile(f"{where} line {number}: not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise BadEvalFile(f"{where} line {number}: must be a JSON object")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise BadEvalFile(f"{where} line {number}: unknown fields {', '.join(unknown)}; "
                          f"allowed: {', '.join(sorted(FIELDS))}")
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BadEvalFile(f"{where} line {number}: 'query' must be non-empty text")
    sources = data.get("expect_sources")
    if not isinstance(sources, list) or not sources or \
            not all(isinstance(s, str) and s.strip() for s in sources):
        raise BadEvalFile(f"{where} line {number}: 'expect_sources' must be a non-empty list "
                          "of file names")
    for key in ("department", "level"):
        if key in data and not isinstance(data[key], str):
            raise BadEvalFile(f"{where} line {number}: '{key}' must be text")
    try:
        search_filter = SearchFilter(department=data.get("department"),
                                     level=data.get("level"))
    except Exception as exc:  # noqa: BLE001 - re-raised with the line number
        raise BadEvalFile(f"{where} line {number}: {exc}") from None
    return EvalCase(number, query.strip(), tuple(s.strip() for s in sources), search_filter)


def read_cases(path: Path) -> list[EvalCase]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadEvalFile(f"no evaluation file {path}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadEvalFile(f"{path} is not UTF-8") from None
    cases = [_case(number, line, str(path))
             for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not cases:
        raise BadEvalFile(f"{path} holds no queries; write one JSON object a line")
    if len(cases) > MAX_LINES:
        raise BadEvalFile(f"{path} has {len(cases)} queries, more than {MAX_LINES}")
    return cases


def evaluate(cases: list[EvalCase], run: Callable[[EvalCase, int], SearchResult],
             k: int) -> EvalReport:
    """Run every case through `run(case, k)` and score it."""
    found = 0
    reciprocal = 0.0
    misses = []
    for case in cases:
        result = run(case, k)
        rank = next((position for position, hit in enumerate(result.hits[:k], 1)
                     if hit.file_name in case.expect_sources
                     or hit.document in case.expect_sources), None)
        if rank is None:
            misses.append({"line": case.line, "query": case.query,
                           "got": [hit.document for hit in result.hits[:k]]})
            continue
        found += 1
        reciprocal += 1.0 / rank
    n = len(cases)
    return EvalReport(k, n, found / n, reciprocal / n, misses)
