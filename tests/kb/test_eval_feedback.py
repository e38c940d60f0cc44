"""Measuring retrieval (recall@k, MRR) and recording doctors' feedback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb import FeedbackEntry, FeedbackLog, KnowledgeStore, evaluate, read_cases, search
from kb.errors import BadEvalFile, KBInputError
from tests.kb.conftest import EDITOR


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def _run(store: KnowledgeStore):  # type: ignore[no-untyped-def]
    return lambda case, k: search(store, case.query, reader=EDITOR, k=k,
                                  search_filter=case.search_filter)


def test_recall_and_mrr_count_ranks(tmp_path: Path, library: KnowledgeStore) -> None:
    cases = read_cases(_write(tmp_path / "eval.jsonl", [
        {"query": "气胸", "expect_sources": ["气胸.pdf"]},
        {"query": "心衰", "expect_sources": ["心衰处理.txt"], "department": "心内科"},
        {"query": "麻醉药品", "expect_sources": ["麻醉药品管理.md"], "level": "restricted"},
        {"query": "气胸", "expect_sources": ["晕厥.txt"]},  # a deliberate miss
    ]))
    ranks = []
    for case in cases:
        docs = [h.document for h in _run(library)(case, 3).hits]
        ranks.append(next((i + 1 for i, d in enumerate(docs) if d in case.expect_sources), 0))

    report = evaluate(cases, _run(library), k=3)

    assert report.n == 4 and report.k == 3
    assert report.recall_at_k == pytest.approx(sum(r > 0 for r in ranks) / 4)
    assert report.mrr == pytest.approx(sum(1 / r for r in ranks if r) / 4)
    assert report.recall_at_k == 0.75 and ranks[:3] == [1, 1, 1]
    assert report.misses[0]["line"] == 4
    assert set(report.as_dict()) == {"recall_at_k", "mrr", "k", "n"}


@pytest.mark.parametrize(("line", "message"), [
    ("not json", "not JSON"),
    ("[1, 2]", "JSON object"),
    ('{"query": "胸痛"}', "expect_sources"),
    ('{"query": "", "expect_sources": ["a"]}', "query"),
    ('{"query": "胸痛", "expect_sources": []}', "expect_sources"),
    ('{"query": "胸痛", "expect_sources": [1]}', "expect_sources"),
    ('{"query": "胸痛", "expect_sources": ["a"], "extra": 1}', "unknown fields extra"),
    ('{"query": "胸痛", "expect_sources": ["a"], "level": "secret"}', "unknown level"),
    ('{"query": "胸痛", "expect_sources": ["a"], "department": 3}', "department"),
])
def test_bad_eval_lines_name_their_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "eval.jsonl"
    path.write_text('{"query": "胸痛", "expect_sources": ["a.md"]}\n' + line + "\n", "utf-8")

    with pytest.raises(BadEvalFile, match=f"line 2: .*{message}"):
        read_cases(path)


def test_bad_eval_files(tmp_path: Path) -> None:
    with pytest.raises(BadEvalFile, match="no evaluation file"):
        read_cases(tmp_path / "missing.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(BadEvalFile, match="no queries"):
        read_cases(tmp_path / "empty.jsonl")
    (tmp_path / "gbk.jsonl").write_bytes('{"query": "胸痛"}'.encode("gb18030"))
    with pytest.raises(BadEvalFile, match="UTF-8"):
        read_cases(tmp_path / "gbk.jsonl")


def test_feedback_is_recorded_and_listed(tmp_path: Path) -> None:
    with FeedbackLog(tmp_path) as log:
        first = log.record(FeedbackEntry(verdict="outdated", document="胸痛流程.md",
                                         section="初始评估", document_version="r1",
                                         kb_version="20250101T000000Z", chunk_id=3,
                                         correction="新版指南改为0h/2h方案", draft_id="d-1",
                                         role="clinician", department="急诊科"))
        log.record(FeedbackEntry(verdict="useful", document="气胸.pdf"))
        entries = log.entries()

    assert first == 1 and [e["verdict"] for e in entries] == ["outdated", "useful"]
    assert entries[0]["correction"] == "新版指南改为0h/2h方案"
    assert entries[0]["chunk_id"] == 3 and entries[0]["created_at"]


@pytest.mark.parametrize(("entry", "message"), [
    (FeedbackEntry(verdict="great", document="a"), "unknown verdict"),
    (FeedbackEntry(verdict="wrong", document=" "), "document"),
    (FeedbackEntry(verdict="wrong", document="a", correction="x" * 2001), "2000"),
    (FeedbackEntry(verdict="wrong", document="a", correction="a\x00"), "NUL"),
])
def test_bad_feedback_is_refused(tmp_path: Path, entry: FeedbackEntry, message: str) -> None:
    with FeedbackLog(tmp_path) as log, pytest.raises(KBInputError, match=message):
        log.record(entry)
