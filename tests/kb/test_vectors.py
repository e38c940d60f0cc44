"""The vector index: exact below the limit, hnswlib above it, rebuilt from the database."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb import KnowledgeStore
from kb.errors import VectorIndexError
from kb.vectors import GRAPH_FILE, INFO_FILE, MATRIX_FILE, VectorIndex


def _clustered(count: int, dim: int = 32, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    rows = centres[rng.integers(0, 20, count)] + 0.3 * rng.normal(size=(count, dim))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _exact(matrix: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int,
           mask: np.ndarray | None = None) -> list[int]:
    scores = matrix @ query
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    return [int(ids[i]) for i in np.argsort(-scores)[:k]]


def test_the_graph_answers_like_exact_search_with_and_without_a_filter(
        tmp_path: Path) -> None:
    matrix = _clustered(3000)
    ids = np.arange(10, 3010, dtype=np.int64)
    documents = ids // 10
    index = VectorIndex.build(tmp_path, ids, documents, matrix, embedder="test:32",
                              generation=1, exact_limit=1000)
    assert index.graph is not None and (tmp_path / GRAPH_FILE).exists()
    wanted_documents = np.arange(0, 301, 2)
    mask = index.allowed_rows(wanted_documents)
    queries = _clustered(50, seed=8)

    overlap_all = overlap_filtered = 0
    for query in queries:
        approximate = [cid for cid, _ in index.search(query, 10)]
        overlap_all += len(set(approximate) & set(_exact(matrix, ids, query, 10)))
        filtered = [cid for cid, _ in index.search(query, 10, mask)]
        assert all(cid // 10 % 2 == 0 for cid in filtered)
        overlap_filtered += len(set(filtered) & set(_exact(matrix, ids, query, 10, mask)))

    assert overlap_all / 500 >= 0.95 and overlap_filtered / 500 >= 0.95


def test_small_indexes_are_exact(tmp_path: Path) -> None:
    matrix = _clustered(200)
    ids = np.arange(1, 201, dtype=np.int64)
    index = VectorIndex.build(tmp_path, ids, ids, matrix, embedder="test:32", generation=1)

    query = matrix[17]
    found = index.search(query, 5)

    assert index.graph is None
    assert [cid for cid, _ in found] == _exact(matrix, ids, query, 5)
    assert found[0] == (18, pytest.approx(1.0, abs=1e-5))
    assert index.search(query, 5, np.zeros(200, dtype=bool)) == []


def test_a_stale_index_is_rebuilt_from_the_database(vector_library: KnowledgeStore) -> None:
    before = vector_library.vector_index()
    assert before is not None
    (vector_library.folder / INFO_FILE).unlink()
    (vector_library.folder / MATRIX_FILE).unlink()

    vector_library.set_meta("touched", "1")  # any write moves the generation on
    rebuilt = vector_library.vector_index()

    assert rebuilt is not None and rebuilt.info.generation == vector_library.generation
    assert np.array_equal(rebuilt.ids, before.ids)
    assert np.allclose(rebuilt.matrix, before.matrix)


def test_damaged_vector_files_are_a_clear_error(tmp_path: Path) -> None:
    matrix = _clustered(50)
    ids = np.arange(50, dtype=np.int64)
    VectorIndex.build(tmp_path, ids, ids, matrix, embedder="test:32", generation=1)
    (tmp_path / MATRIX_FILE).write_bytes(b"garbage")

    with pytest.raises(VectorIndexError, match="reindex"):
        VectorIndex.load(tmp_path)


def test_a_query_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    matrix = _clustered(50)
    ids = np.arange(50, dtype=np.int64)
    index = VectorIndex.build(tmp_path, ids, ids, matrix, embedder="test:32", generation=1)

    with pytest.raises(VectorIndexError, match="shape"):
        index.search(np.ones(8, np.float32), 3)
