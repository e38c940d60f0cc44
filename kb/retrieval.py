"""Hybrid search: bm25 over jieba words and vector similarity, fused by reciprocal rank.

Order of work for one query:
1. The reader's access rule and the user's filters (department, level, tags) select the
   documents in SQL; nothing outside them is ranked.
2. Lexical: the query's words and their synonyms go to FTS5 as one OR expression, ranked by
   bm25. Words found in very many chunks are left out when rarer ones remain (listed in
   `skipped_words`): they cost the most and tell the least.
3. Vectors: when the store has vectors and the query was embedded by the same embedder, the
   nearest allowed chunks; a different embedder is refused and the search says so.
4. Reciprocal-rank fusion (score = sum of 1 / (60 + rank)), duplicates across documents
   collapsed, the top k returned, each hit saying how it got there.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from kb.access import Reader
from kb.dedup import NEAR_BITS, distance
from kb.embedders import Embedder
from kb.errors import BadQuery, EmbedderError, EmbedderMismatch
from kb.store import POSTINGS_BUDGET, ChunkRow, KnowledgeStore, SearchFilter
from kb.text import QueryGroup, match_expression, segmenter

log = logging.getLogger(__name__)

RRF_K = 60
CANDIDATES = 50
MAX_K = 50
MAX_QUERY_CHARS = 2000
MAX_GROUPS = 32


@dataclass(frozen=True)
class Hit:
    """One chunk found, with the evidence for its place in the list."""

    chunk_id: int
    document: str
    title: str
    file_name: str
    section: str
    version: str
    level: str
    department: str
    text: str
    start: int
    end: int
    fused_score: float
    lexical_rank: int | None
    bm25: float | None
    vector_rank: int | None
    similarity: float | None
    matched_words: tuple[str, ...]
    also_in: tuple[str, ...] = ()

    def explain(self) -> str:
        parts = [f"fused {self.fused_score:.4f}"]
        if self.lexical_rank is not None:
            parts.append(f"words #{self.lexical_rank} (bm25 {self.bm25:.2f})")
        if self.vector_rank is not None:
            parts.append(f"vector #{self.vector_rank} (cosine {self.similarity:.3f})")
        if self.matched_words:
            parts.append("matched " + " ".join(self.matched_words))
        if self.also_in:
            parts.append("same text also in " + ", ".join(self.also_in))
        return "; ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "matched_words": list(self.matched_words),
                "also_in": list(self.also_in), "explanation": self.explain()}


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    groups: list[QueryGroup]
    skipped_words: list[str]
    vector_used: bool
    kb_version: str
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "kb_version": self.kb_version,
            "vector_used": self.vector_used,
            "words": {g.word: list(g.alternatives) for g in self.groups},
            "skipped_words": self.skipped_words,
            "notes": self.notes,
            "hits": [hit.as_dict() for hit in self.hits],
        }


def check_query(query: str, k: int) -> str:
    if not isinstance(query, str):
        raise BadQuery(f"the query must be text, not {type(query).__name__}")
    if "\x00" in query:
        raise BadQuery("the query contains NUL characters; pass plain text")
    if not query.strip():
        raise BadQuery("the query is empty; give words to search for, such as 胸痛")
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(f"the query has {len(query)} characters, more than {MAX_QUERY_CHARS}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise BadQuery(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
    return query.strip()


def _choose_groups(store: KnowledgeStore, groups: list[QueryGroup]
                   ) -> tuple[list[QueryGroup], list[str]]:
    """The groups to send to FTS5, rarest first, within the postings budget."""
    words = [word for group in groups for word in group.alternatives]
    frequencies = store.document_frequencies(words)
    costs = [(sum(frequencies.get(w, 0) for w in group.alternatives), group)
             for group in groups]
    costs.sort(key=lambda pair: pair[0])
    chosen: list[QueryGroup] = []
    skipped: list[str] = []
    spent = 0
    for cost, group in costs:
        if cost == 0 and not any(" " in w or "-" in w for w in group.alternatives):
            continue  # no chunk holds it: nothing to rank by
        if chosen and spent + cost > POSTINGS_BUDGET:
            skipped.append(group.word)
            continue
        chosen.append(group)
        spent += cost
    return chosen, skipped


def lexical_ranking(store: KnowledgeStore, groups: list[QueryGroup], documents: np.ndarray
                    ) -> tuple[list[tuple[int, float]], list[str]]:
    """bm25 ranking among the chunks of `documents` (readable and passing the filters)."""
    chosen, skipped = _choose_groups(store, groups)
    if not chosen or not len(documents):
        return [], skipped
    return store.lexical(match_expression(chosen), documents, CANDIDATES), skipped


def vector_ranking(store: KnowledgeStore, query_vector: np.ndarray, identity: str,
                   documents: np.ndarray) -> list[tuple[int, float]]:
    """Nearest readable chunks; EmbedderMismatch when another embedder made the query."""
    recorded = store.embedder
    if recorded is None:
        raise EmbedderMismatch("this knowledge base has no vectors (imported without an "
                               "embedder); searching words only")
    if identity != recorded:
        raise EmbedderMismatch(
            f"vector search refused: this knowledge base's vectors were made by {recorded}, "
            f"the query by {identity}; searching words only"
        )
    index = store.vector_index()
    if index is None:
        return []
    return index.search(query_vector, CANDIDATES, index.allowed_rows(documents))


def _fuse(lexical: Sequence[tuple[int, float]], vector: Sequence[tuple[int, float]]
          ) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for ranking in (lexical, vector):
        for rank, (chunk_id, _) in enumerate(ranking, 1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def _matched(row: ChunkRow, groups: list[QueryGroup]) -> tuple[str, ...]:
    words = set(row.words.split())
    found = []
    for group in groups:
        for word in group.alternatives:
            if word in words or (("-" in word or " " in word) and word in row.words):
                found.append(word)
    return tuple(dict.fromkeys(found))


def search(
    store: KnowledgeStore,
    query: str,
    *,
    reader: Reader,
    search_filter: SearchFilter | None = None,
    k: int = 5,
    embedder: Embedder | None = None,
    query_vector: np.ndarray | None = None,
    vector_identity: str | None = None,
) -> SearchResult:
    """The k best readable chunks for `query`. Pass an `embedder`, or a ready `query_vector`
    with the `vector_identity` of what made it, to add vector search."""
    query = check_query(query, k)
    search_filter = search_filter or SearchFilter()
    groups = segmenter().query_groups(query)[:MAX_GROUPS]
    notes: list[str] = []

    # Access rule and filters first, in SQL: nothing outside these documents is ranked.
    documents = store.allowed_documents(reader, search_filter)
    lexical, skipped = lexical_ranking(store, groups, documents) if groups else ([], [])
    if skipped:
        notes.append("left out as too common to rank by: " + " ".join(skipped))

    vector: list[tuple[int, float]] = []
    if embedder is not None and query_vector is None:
        try:
            query_vector = embedder.embed_query(query)
            vector_identity = embedder.identity
        except EmbedderError as exc:
            notes.append(str(exc))
    if query_vector is not None and vector_identity is not None:
        try:
            vector = vector_ranking(store, query_vector, vector_identity, documents)
        except EmbedderMismatch as exc:
            notes.append(str(exc))
    elif store.embedder is not None and embedder is None:
        notes.append(f"no query embedder here for this knowledge base's vectors "
                     f"({store.embedder}); searching words only")
    if not groups and not vector:
        raise BadQuery(f"the query {query!r} holds no searchable words; use words such as 胸痛")

    hits = _hits(store, _fuse(lexical, vector), lexical, vector, groups, reader,
                 search_filter, k)
    return SearchResult(query, hits, groups, skipped, bool(vector), store.version, notes)


def _hits(store: KnowledgeStore, fused: list[tuple[int, float]],
          lexical: Sequence[tuple[int, float]], vector: Sequence[tuple[int, float]],
          groups: list[QueryGroup], reader: Reader, search_filter: SearchFilter,
          k: int) -> list[Hit]:
    lexical_at = {cid: (rank, score) for rank, (cid, score) in enumerate(lexical, 1)}
    vector_at = {cid: (rank, score) for rank, (cid, score) in enumerate(vector, 1)}
    candidates = fused[: max(3 * k, k + 10)]
    rows = store.chunks([cid for cid, _ in candidates], reader, search_filter)

    kept: list[tuple[ChunkRow, float, list[str]]] = []
    for chunk_id, score in candidates:
        row = rows.get(chunk_id)
        if row is None:
            continue
        twin = next((entry for entry in kept if entry[0].text_hash == row.text_hash or
                     distance(entry[0].simhash, row.simhash) <= NEAR_BITS), None)
        if twin is not None:
            if row.doc_key != twin[0].doc_key:
                twin[2].append(row.doc_key)
            continue
        kept.append((row, score, []))
        if len(kept) == k:
            break

    hits = []
    for row, score, also_in in kept:
        lex = lexical_at.get(row.id)
        vec = vector_at.get(row.id)
        hits.append(Hit(
            chunk_id=row.id, document=row.doc_key, title=row.title, file_name=row.file_name,
            section=row.section, version=row.version, level=row.level,
            department=row.department, text=row.text, start=row.start, end=row.end,
            fused_score=score, lexical_rank=lex[0] if lex else None,
            bm25=-lex[1] if lex else None, vector_rank=vec[0] if vec else None,
            similarity=vec[1] if vec else None, matched_words=_matched(row, groups),
            also_in=tuple(dict.fromkeys(also_in)),
        ))
    return hits
