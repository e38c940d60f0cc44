"""The vector index beside the database: exact numpy search when small, hnswlib when large.

Files in the store's folder, all rebuilt from the database's `chunk_vectors` table:

    vectors.npy       float32 rows, unit length, memory-mapped (no copy in RAM)
    vector_ids.npy    the chunk id and document id of each row, chunk ids ascending
    vectors.hnsw      the hnswlib graph over the rows (only above EXACT_LIMIT rows)
    vectors.json      embedder, dimension, row count and the database generation they match

Below `EXACT_LIMIT` rows a full matrix product is as fast as the graph (bench/kb_bench.py
measures both) and exact; above it the graph answers, with the allowed rows as a filter.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kb.errors import VectorIndexError

log = logging.getLogger(__name__)

EXACT_LIMIT = 20_000
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 100
HNSW_EF_SEARCH = 128
# A filtered graph search fetches k / (share of rows allowed) * OVERFETCH candidates; past
# MAX_GRAPH_FETCH an exact search over the allowed rows is cheaper.
OVERFETCH = 1.5
MAX_GRAPH_FETCH = 2000
INFO_FILE = "vectors.json"
MATRIX_FILE = "vectors.npy"
IDS_FILE = "vector_ids.npy"
GRAPH_FILE = "vectors.hnsw"
FILES = (MATRIX_FILE, IDS_FILE, GRAPH_FILE, INFO_FILE)


@dataclass(frozen=True)
class IndexInfo:
    embedder: str
    dim: int
    count: int
    generation: int
    graph: bool


def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    partial = path.with_name(path.name + ".partial")
    write(partial)
    os.replace(partial, path)


def _save_npy(array: np.ndarray) -> Callable[[Path], None]:
    def write(target: Path) -> None:
        with target.open("wb") as handle:
            np.save(handle, array)
    return write


def build_graph(matrix: np.ndarray, *, threads: int = -1) -> Any:
    import hnswlib

    graph = hnswlib.Index(space="ip", dim=matrix.shape[1])
    graph.init_index(max_elements=max(1, len(matrix)), M=HNSW_M,
                     ef_construction=HNSW_EF_CONSTRUCTION)
    graph.add_items(matrix, np.arange(len(matrix)), num_threads=threads)
    graph.set_ef(HNSW_EF_SEARCH)
    return graph


class VectorIndex:
    """Rows of chunk vectors and, when large, their hnswlib graph."""

    def __init__(self, info: IndexInfo, rows: np.ndarray, matrix: np.ndarray,
                 graph: Any | None) -> None:
        self.info = info
        self.ids = np.ascontiguousarray(rows[:, 0]) if len(rows) else np.zeros(0, np.int64)
        self.documents = np.ascontiguousarray(rows[:, 1]) if len(rows) else \
            np.zeros(0, np.int64)
        self.matrix = matrix
        self.graph = graph
        self._graph_lock = threading.Lock()

    @classmethod
    def build(cls, folder: Path, ids: np.ndarray, documents: np.ndarray, matrix: np.ndarray,
              *, embedder: str, generation: int,
              exact_limit: int = EXACT_LIMIT) -> VectorIndex:
        """Write the files for these rows and return the loaded index."""
        order = np.argsort(ids, kind="stable")
        rows = np.stack([np.asarray(ids, np.int64)[order],
                         np.asarray(documents, np.int64)[order]], axis=1) \
            if len(ids) else np.zeros((0, 2), np.int64)
        matrix = np.ascontiguousarray(np.asarray(matrix, np.float32)[order])
        graph = build_graph(matrix) if len(ids) > exact_limit else None

        _write_atomic(folder / MATRIX_FILE, _save_npy(matrix))
        _write_atomic(folder / IDS_FILE, _save_npy(rows))
        if graph is not None:
            _write_atomic(folder / GRAPH_FILE, lambda target: graph.save_index(str(target)))
        else:
            (folder / GRAPH_FILE).unlink(missing_ok=True)
        info = IndexInfo(embedder, int(matrix.shape[1]) if len(matrix) else 0, len(ids),
                         generation, graph is not None)
        _write_atomic(folder / INFO_FILE, lambda target: target.write_text(
            json.dumps(info.__dict__, ensure_ascii=False), encoding="utf-8"))
        log.debug("built vector index: %d rows, graph=%s", len(ids), graph is not None)
        loaded = cls.load(folder)
        if loaded is None:
            raise VectorIndexError(f"the vector files just written to {folder} are gone")
        return loaded

    @classmethod
    def load(cls, folder: Path) -> VectorIndex | None:
        """The index in `folder`, or None when there is none; damaged files raise."""
        info_path = folder / INFO_FILE
        if not info_path.exists():
            return None
        try:
            info = IndexInfo(**json.loads(info_path.read_text(encoding="utf-8")))
            rows = np.load(folder / IDS_FILE)
            # A plain array over the mapped file: no copy, and none of memmap's slow slicing.
            matrix = np.asarray(np.load(folder / MATRIX_FILE, mmap_mode="r")) if info.count \
                else np.zeros((0, info.dim), np.float32)
        except (OSError, ValueError, TypeError) as exc:
            raise VectorIndexError(
                f"the vector files in {folder} are damaged ({exc}); run `sentinel kb reindex`"
            ) from None
        if rows.shape != (info.count, 2) or matrix.shape[0] != info.count:
            raise VectorIndexError(f"the vector files in {folder} disagree on their size; "
                                   "run `sentinel kb reindex`")
        graph = None
        if info.graph:
            graph = cls._load_graph(folder / GRAPH_FILE, info)
        return cls(info, rows.reshape(-1, 2), matrix, graph)

    @staticmethod
    def _load_graph(path: Path, info: IndexInfo) -> Any:
        import hnswlib

        if not path.exists():
            raise VectorIndexError(f"{path} is missing; run `sentinel kb reindex`")
        graph = hnswlib.Index(space="ip", dim=info.dim)
        try:
            graph.load_index(str(path), max_elements=info.count)
        except RuntimeError as exc:
            raise VectorIndexError(f"{path} is damaged ({exc}); run `sentinel kb reindex`") \
                from None
        graph.set_ef(HNSW_EF_SEARCH)
        return graph

    def allowed_rows(self, documents: np.ndarray) -> np.ndarray:
        """A mask over rows: True where the row's document is among `documents`."""
        if not len(self.documents):
            return np.zeros(0, dtype=bool)
        # A lookup table beats np.isin: document ids are small and dense.
        top = int(self.documents.max())
        table = np.zeros(top + 1, dtype=bool)
        wanted = documents[(documents >= 0) & (documents <= top)]
        table[wanted] = True
        return table[self.documents]

    def search(self, query: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k nearest rows as (chunk id, cosine similarity), only among `allowed` rows
        (a boolean mask over rows) when it is given."""
        total = len(self.ids)
        count = total if allowed is None else int(allowed.sum())
        if count == 0 or k <= 0:
            return []
        k = min(k, count)
        query = np.asarray(query, dtype=np.float32)
        if query.shape != (self.info.dim,):
            raise VectorIndexError(f"query vector has shape {query.shape}, the index holds "
                                   f"{self.info.dim}-dimensional vectors")
        if self.graph is None:
            return self._exact(query, k, allowed, count)
        return self._approximate(query, k, allowed if count < total else None)

    def _exact(self, query: np.ndarray, k: int, allowed: np.ndarray | None,
               count: int) -> list[tuple[int, float]]:
        if allowed is None or count == len(self.ids):
            rows = None
            scores = self.matrix @ query
        elif len(self.ids) <= EXACT_LIMIT or count * 4 > len(self.ids):
            # Scoring every row beats gathering a large share of them.
            rows = np.flatnonzero(allowed)
            scores = (self.matrix @ query)[rows]
        else:
            rows = np.flatnonzero(allowed)
            scores = self.matrix[rows] @ query
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        positions = top if rows is None else rows[top]
        return [(int(self.ids[p]), float(scores[t])) for p, t in zip(positions, top,
                                                                      strict=True)]

    def _approximate(self, query: np.ndarray, k: int,
                     allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """The graph's nearest rows; with a filter, over-fetch in proportion to how few rows
        pass it and keep those that do (no per-node Python callback), falling back to exact
        search over the allowed rows when too few survive."""
        assert self.graph is not None
        total = len(self.ids)
        share = 1.0 if allowed is None else max(float(allowed.sum()) / total, 1e-9)
        wanted = min(total, int(np.ceil(k / share * OVERFETCH)) + k)
        while wanted <= MAX_GRAPH_FETCH:
            with self._graph_lock:  # ef is the graph's own state, shared by all callers
                self.graph.set_ef(max(HNSW_EF_SEARCH, wanted))
                labels, distances = self.graph.knn_query(query, k=wanted, num_threads=1)
            labels, distances = labels[0].astype(np.int64), distances[0]
            if allowed is not None:
                keep = allowed[labels]
                labels, distances = labels[keep], distances[keep]
            if len(labels) >= k or wanted == total:
                # The 'ip' space reports 1 - inner product.
                return [(int(self.ids[label]), float(1.0 - distance))
                        for label, distance in zip(labels[:k], distances[:k], strict=True)]
            # The allowed rows are rarer near this query than overall: look further.
            wanted = min(total, wanted * 2)
        count = total if allowed is None else int(allowed.sum())
        return self._exact(query, k, allowed, count)
