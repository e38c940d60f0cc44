"""The knowledge-base store: one SQLite database (through sqlite-utils) and its vector files.

A store is a folder holding `kb.sqlite` and the vector files of `kb.vectors`. An editor's
library is writable; an installed bundle is opened read-only. Every read that returns chunks
takes a `Reader` and applies `kb.access.access_clause` in its SQL, so rows a role may not read
are never selected.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from kb.access import Reader, access_clause, check_level
from kb.errors import (
    BadFilter,
    EmbedderMismatch,
    NoKnowledgeBase,
    StoreError,
    UnknownDocument,
    VectorIndexError,
)
from kb.migrations import STORE_MIGRATIONS, applied, migrate, transaction
from kb.tagging import clean_tag
from kb.vectors import VectorIndex

log = logging.getLogger(__name__)

DB_FILE = "kb.sqlite"
# A query word found in more chunks than this costs more to rank than it tells apart; it is
# left out when rarer words remain (bm25 gives it almost no weight anyway).
POSTINGS_BUDGET = 8_000


@dataclass(frozen=True)
class SearchFilter:
    """Filters chosen by the user; the reader's access rule is always added to them."""

    department: str | None = None
    level: str | None = None
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.level is not None:
            check_level(self.level)
        if self.department is not None and not self.department.strip():
            raise BadFilter("--department is empty; give a department such as 急诊科")

    def where(self, reader: Reader, alias: str = "d") -> tuple[str, list[Any]]:
        clause, params = access_clause(reader, alias)
        parts: list[str] = [clause]
        values: list[Any] = list(params)
        if self.department is not None:
            parts.append(f"{alias}.department = ?")
            values.append(self.department.strip())
        if self.level is not None:
            parts.append(f"{alias}.level = ?")
            values.append(self.level)
        for tag in self.tags:
            parts.append(f"EXISTS (SELECT 1 FROM document_tags t WHERE t.document_id = "
                         f"{alias}.id AND t.tag = ?)")
            values.append(tag)
        return " AND ".join(parts), values


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    key: str
    title: str
    file_name: str
    source: str
    kind: str
    department: str
    level: str
    version: str
    revision: int
    sha256: str
    size_bytes: int
    imported_at: str
    chunks: int = 0
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NewDocument:
    """What the importer hands the store for one file."""

    key: str
    title: str
    file_name: str
    source: str
    kind: str
    department: str
    level: str
    sha256: str
    size_bytes: int
    version_label: str = ""


@dataclass(frozen=True)
class NewChunk:
    ordinal: int
    section: str
    text: str
    start: int
    end: int
    text_hash: str
    simhash: int
    words: str


@dataclass(frozen=True)
class ChunkRow:
    """A chunk as search returns it, with its document's classification."""

    id: int
    document_id: int
    ordinal: int
    section: str
    text: str
    start: int
    end: int
    text_hash: str
    simhash: int
    doc_key: str
    title: str
    file_name: str
    source: str
    department: str
    level: str
    version: str
    words: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class KnowledgeStore:
    """One knowledge base: documents, chunks, tags, full-text index and vectors."""

    def __init__(self, folder: Path, conn: sqlite3.Connection, *, readonly: bool) -> None:
        self.folder = folder
        self.readonly = readonly
        self._conn = conn
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._index: VectorIndex | None = None
        # The generation the cached index was checked against; -1: not checked yet.
        self._index_generation = -1
        self._chunk_docs = np.zeros(1, np.int64)
        self._chunk_docs_generation = -1
        # Which chunk ids the running full-text query may return (see `lexical`).
        self._bitmap = b""
        conn.create_function("kb_allowed", 1, self._allowed_row, deterministic=False)

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path, *, readonly: bool = False, create: bool = False
             ) -> KnowledgeStore:
        """Open the store in `folder`; `create` makes an empty one when there is none."""
        path = folder / DB_FILE
        if not path.exists():
            if not create or readonly:
                raise NoKnowledgeBase(
                    f"no knowledge base in {folder}: import documents with "
                    "`sentinel kb import` or pull a bundle with `sentinel kb pull`"
                )
            folder.mkdir(parents=True, exist_ok=True)
        # Our own connection pins the SQLite build (sqlite-utils would prefer pysqlite3).
        try:
            if readonly:
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                       isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA foreign_keys = ON")
            if readonly:
                names = applied(conn)
                unknown = [name for name in names if name not in
                           {step.name for step in STORE_MIGRATIONS}]
                if unknown or len(names) != len(STORE_MIGRATIONS):
                    raise StoreError(
                        f"the knowledge base in {folder} has schema {names[-1:] or 'none'}, "
                        "this version expects "
                        f"{STORE_MIGRATIONS[-1].name}: pull a bundle made for it"
                    )
            else:
                conn.execute("PRAGMA journal_mode = WAL")
                # WAL with NORMAL sync never corrupts; a power cut may lose the last import.
                conn.execute("PRAGMA synchronous = NORMAL")
                migrate(conn, STORE_MIGRATIONS)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} is not a usable knowledge-base database ({exc})") \
                from None
        return cls(folder, conn, readonly=readonly)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise StoreError(f"the knowledge base in {self.folder} is an installed bundle and "
                             "read-only; edit the library and publish instead")
        with self._lock, transaction(self._conn):
            yield self._conn
            self._conn.execute(
                "UPDATE kb_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
            )

    # -- meta --------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM kb_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._writing() as conn:
            conn.execute("INSERT INTO kb_meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value", (key, value))

    @property
    def generation(self) -> int:
        return int(self.meta("generation") or 0)

    @property
    def embedder(self) -> str | None:
        """The identity of the embedder that made this store's vectors, if any."""
        return self.meta("embedder") or None

    @property
    def version(self) -> str:
        """The installed bundle's version, or the library's generation."""
        return self.meta("bundle_version") or f"library-g{self.generation}"

    # -- documents ---------------------------------------------------------------------
    def _document_rows(self, where: str, params: Sequence[Any]) -> list[DocumentInfo]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT d.id, d.doc_key, d.title, d.file_name, d.source, d.kind, d.department,"
                " d.level, d.version, d.revision, d.sha256, d.size_bytes, d.imported_at,"
                " (SELECT count(*) FROM chunks c WHERE c.document_id = d.id)"
                f" FROM documents d WHERE {where} ORDER BY d.doc_key", list(params)
            ).fetchall()
            tags: dict[int, dict[str, str]] = {}
            for doc_id, tag, origin in self._conn.execute(
                "SELECT document_id, tag, origin FROM document_tags ORDER BY origin, tag"
            ):
                tags.setdefault(doc_id, {})[tag] = origin
        names = [f.name for f in fields(DocumentInfo)]
        return [DocumentInfo(**dict(zip(names, [*row, tags.get(row[0], {})], strict=True)))
                for row in rows]

    def documents(self, reader: Reader, search: SearchFilter | None = None
                  ) -> list[DocumentInfo]:
        where, params = (search or SearchFilter()).where(reader)
        return self._document_rows(where, params)

    def document(self, key_or_id: str, reader: Reader) -> DocumentInfo:
        """One readable document by key (e.g. `胸痛流程.md`) or numeric id."""
        where, params = access_clause(reader)
        if key_or_id.isdigit():
            found = self._document_rows(f"d.id = ? AND {where}", [int(key_or_id), *params])
        else:
            found = self._document_rows(f"d.doc_key = ? AND {where}", [key_or_id, *params])
        if not found:
            raise UnknownDocument(f"no document {key_or_id!r}; `sentinel kb list` shows them")
        return found[0]

    def document_by_key(self, key: str) -> DocumentInfo | None:
        """Any document by key, whatever its level (for the importer, not for readers)."""
        found = self._document_rows("d.doc_key = ?", [key])
        return found[0] if found else None

    def replace_document(self, doc: NewDocument, chunks: Sequence[NewChunk],
                         vectors: np.ndarray | None, *, embedder: str | None,
                         auto_tags: Sequence[str], import_tags: Sequence[str]) -> int:
        """Insert the document, or replace an earlier import's chunks, in one transaction.
        Returns the document id."""
        if vectors is not None and len(vectors) != len(chunks):
            raise StoreError(f"{len(vectors)} vectors for {len(chunks)} chunks")
        with self._writing() as conn:
            self._check_embedder(conn, embedder, has_vectors=vectors is not None)
            old = conn.execute("SELECT id, revision FROM documents WHERE doc_key = ?",
                               (doc.key,)).fetchone()
            revision = 1 if old is None else old[1] + 1
            if old is not None:
                self._delete_document(conn, old[0])
            version = doc.version_label or f"r{revision}"
            cursor = conn.execute(
                "INSERT INTO documents (doc_key, title, file_name, source, kind, department,"
                " level, version, revision, sha256, size_bytes, imported_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.key, doc.title, doc.file_name, doc.source, doc.kind, doc.department,
                 doc.level, version, revision, doc.sha256, doc.size_bytes, _now()),
            )
            doc_id = int(cursor.lastrowid or 0)
            self._insert_chunks(conn, doc_id, chunks, vectors)
            self._write_tags(conn, doc_id, doc.key, auto_tags, import_tags)
        return doc_id

    def _check_embedder(self, conn: sqlite3.Connection, embedder: str | None, *,
                        has_vectors: bool) -> None:
        recorded = conn.execute("SELECT value FROM kb_meta WHERE key = 'embedder'").fetchone()
        chunk_count = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        if recorded is None:
            if has_vectors and chunk_count:
                raise EmbedderMismatch(
                    "this knowledge base holds chunks without vectors; run `sentinel kb "
                    "reindex --reembed` to embed them all, then import again"
                )
            if has_vectors and embedder:
                conn.execute("INSERT INTO kb_meta (key, value) VALUES ('embedder', ?)",
                             (embedder,))
            return
        if not has_vectors or embedder != recorded[0]:
            raise EmbedderMismatch(
                f"this knowledge base's vectors were made by {recorded[0]}, the import offers "
                f"{embedder or 'no embedder'}; set kb_embedder to match, or run "
                "`sentinel kb reindex --reembed` to embed everything again"
            )

    def _insert_chunks(self, conn: sqlite3.Connection, doc_id: int,
                       chunks: Sequence[NewChunk], vectors: np.ndarray | None) -> None:
        # Ids are handed out here so the three tables can be filled with one statement each.
        first = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM chunks").fetchone()[0])
        ids = range(first, first + len(chunks))
        conn.executemany(
            'INSERT INTO chunks (id, document_id, ordinal, section, text, start, "end",'
            " text_hash, simhash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(chunk_id, doc_id, c.ordinal, c.section, c.text, c.start, c.end, c.text_hash,
              c.simhash) for chunk_id, c in zip(ids, chunks, strict=True)],
        )
        conn.executemany("INSERT INTO chunks_fts (rowid, tokens) VALUES (?, ?)",
                         [(chunk_id, c.words) for chunk_id, c in zip(ids, chunks, strict=True)])
        if vectors is not None:
            rows = np.asarray(vectors, np.float32)
            conn.executemany("INSERT INTO chunk_vectors (chunk_id, vector) VALUES (?, ?)",
                             [(chunk_id, rows[n].tobytes()) for n, chunk_id in enumerate(ids)])

    def _write_tags(self, conn: sqlite3.Connection, doc_id: int, key: str,
                    auto_tags: Sequence[str], import_tags: Sequence[str]) -> None:
        tags: dict[str, str] = {}
        for tag in auto_tags:
            tags[clean_tag(tag)] = "auto"
        for tag in import_tags:
            tags[clean_tag(tag)] = "import"
        for tag, action in conn.execute("SELECT tag, action FROM tag_edits WHERE doc_key = ?",
                                        (key,)).fetchall():
            if action == "add":
                tags[tag] = "editor"
            else:
                tags.pop(tag, None)
        conn.executemany(
            "INSERT INTO document_tags (document_id, tag, origin) VALUES (?, ?, ?)",
            [(doc_id, tag, origin) for tag, origin in tags.items()],
        )

    @staticmethod
    def _delete_document(conn: sqlite3.Connection, doc_id: int) -> None:
        conn.execute("DELETE FROM chunks_fts WHERE rowid IN "
                     "(SELECT id FROM chunks WHERE document_id = ?)", (doc_id,))
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def remove_document(self, key_or_id: str, reader: Reader) -> DocumentInfo:
        doc = self.document(key_or_id, reader)
        with self._writing() as conn:
            self._delete_document(conn, doc.id)
            if not conn.execute("SELECT 1 FROM chunks LIMIT 1").fetchone():
                conn.execute("DELETE FROM kb_meta WHERE key = 'embedder'")
        return doc

    def edit_tags(self, key_or_id: str, reader: Reader, *, add: Sequence[str] = (),
                  remove: Sequence[str] = ()) -> DocumentInfo:
        """An editor's correction; it is remembered by document key and survives re-imports."""
        doc = self.document(key_or_id, reader)
        with self._writing() as conn:
            for tag, action in [(clean_tag(t), "add") for t in add] + \
                    [(clean_tag(t), "remove") for t in remove]:
                conn.execute(
                    "INSERT INTO tag_edits (doc_key, tag, action, edited_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (doc_key, tag) DO UPDATE SET action = excluded.action,"
                    " edited_at = excluded.edited_at", (doc.key, tag, action, _now()))
                if action == "add":
                    conn.execute("INSERT INTO document_tags (document_id, tag, origin) VALUES "
                                 "(?, ?, 'editor') ON CONFLICT DO UPDATE SET origin = 'editor'",
                                 (doc.id, tag))
                else:
                    conn.execute("DELETE FROM document_tags WHERE document_id = ? AND tag = ?",
                                 (doc.id, tag))
        return self.document(str(doc.id), reader)

    # -- search support ----------------------------------------------------------------
    def allowed_documents(self, reader: Reader, search: SearchFilter) -> np.ndarray:
        """Ids of the documents the reader may read that pass the filter (SQL decides)."""
        where, params = search.where(reader)
        with self._lock:
            rows = self._conn.execute(f"SELECT d.id FROM documents d WHERE {where}",
                                      params).fetchall()
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def chunk_count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def document_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """In how many chunks each indexed word occurs (0 when never)."""
        if not words:
            return {}
        marks = ", ".join("?" for _ in words)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT term, doc FROM chunks_fts_vocab WHERE term IN ({marks})", list(words)
            ).fetchall()
        found = dict(rows)
        return {word: int(found.get(word, 0)) for word in words}

    def _chunk_documents(self) -> np.ndarray:
        """Document id of every chunk, indexed by chunk id (-1 for unused ids); cached per
        generation."""
        generation = self.generation
        if self._chunk_docs_generation != generation:
            with self._lock:
                rows = self._conn.execute("SELECT id, document_id FROM chunks").fetchall()
            pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
            table = np.full(int(pairs[:, 0].max()) + 1 if len(pairs) else 1, -1, np.int64)
            table[pairs[:, 0]] = pairs[:, 1]
            self._chunk_docs, self._chunk_docs_generation = table, generation
        return self._chunk_docs

    def lexical(self, match: str, documents: np.ndarray, limit: int
                ) -> list[tuple[int, float]]:
        """(chunk id, bm25) of chunks matching the FTS5 expression, best first, among the
        chunks of `documents` (ids from `allowed_documents`, which applied the access rule
        and the filters in SQL). The allowed chunks are handed to SQLite as a bitmap that the
        WHERE clause tests per matching row, before bm25 ranks them: four to five times
        cheaper than joining chunks and documents for every match."""
        chunk_docs = self._chunk_documents()
        wanted = np.zeros(int(max(chunk_docs.max(initial=0), documents.max(initial=0))) + 2,
                          dtype=bool)
        wanted[documents] = True
        allowed = np.where(chunk_docs >= 0, wanted[np.maximum(chunk_docs, 0)], False)
        bitmap = allowed.astype(np.uint8).tobytes()
        sql = ("SELECT rowid, bm25(chunks_fts) AS score FROM chunks_fts"
               " WHERE chunks_fts MATCH ? AND kb_allowed(rowid) ORDER BY score LIMIT ?")
        try:
            with self._lock:
                self._bitmap = bitmap
                rows = self._conn.execute(sql, [match, limit]).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"full-text search failed ({exc})") from None
        return [(int(row[0]), float(row[1])) for row in rows]

    def _allowed_row(self, rowid: int) -> bool:
        bitmap = self._bitmap
        return 0 <= rowid < len(bitmap) and bitmap[rowid] == 1

    def chunks(self, ids: Sequence[int], reader: Reader, search: SearchFilter
               ) -> dict[int, ChunkRow]:
        """The readable chunks among `ids`; the access rule is applied here again."""
        if not ids:
            return {}
        where, params = search.where(reader)
        marks = ", ".join("?" for _ in ids)
        sql = (
            'SELECT c.id, c.document_id, c.ordinal, c.section, c.text, c.start, c."end",'
            " c.text_hash, c.simhash, d.doc_key, d.title, d.file_name, d.source, d.department,"
            " d.level, d.version, f.tokens FROM chunks c"
            " JOIN documents d ON d.id = c.document_id JOIN chunks_fts f ON f.rowid = c.id"
            f" WHERE c.id IN ({marks}) AND {where}"
        )
        with self._lock:
            rows = self._conn.execute(sql, [*ids, *params]).fetchall()
        return {int(row[0]): ChunkRow(*row) for row in rows}

    def chunk(self, chunk_id: int, reader: Reader) -> ChunkRow | None:
        return self.chunks([chunk_id], reader, SearchFilter()).get(chunk_id)

    def all_chunks(self) -> Iterator[tuple[int, str, str]]:
        """(id, section, text) of every chunk, for re-embedding."""
        with self._lock:
            rows = self._conn.execute("SELECT id, section, text FROM chunks ORDER BY id"
                                      ).fetchall()
        yield from rows

    # -- vectors -----------------------------------------------------------------------
    def stored_vectors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(chunk ids, document ids, matrix) straight from the database."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT v.chunk_id, c.document_id, v.vector FROM chunk_vectors v"
                " JOIN chunks c ON c.id = v.chunk_id ORDER BY v.chunk_id"
            ).fetchall()
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 0), np.float32)
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        docs = np.array([row[1] for row in rows], dtype=np.int64)
        matrix = np.vstack([np.frombuffer(row[2], dtype=np.float32) for row in rows])
        return ids, docs, matrix

    def replace_vectors(self, ids: Sequence[int], matrix: np.ndarray, embedder: str) -> None:
        """Swap every chunk's vector for one made by `embedder` (re-embedding)."""
        with self._writing() as conn:
            conn.execute("DELETE FROM chunk_vectors")
            conn.executemany("INSERT INTO chunk_vectors (chunk_id, vector) VALUES (?, ?)",
                             [(int(i), np.asarray(v, np.float32).tobytes())
                              for i, v in zip(ids, matrix, strict=True)])
            conn.execute("INSERT INTO kb_meta (key, value) VALUES ('embedder', ?) ON CONFLICT "
                         "(key) DO UPDATE SET value = excluded.value", (embedder,))
        self._index, self._index_generation = None, -1

    def rebuild_index(self) -> VectorIndex | None:
        """Write the vector files again from the database (the database is the truth)."""
        ids, docs, matrix = self.stored_vectors()
        embedder = self.embedder
        if not len(ids) or embedder is None:
            for name in ("vectors.json", "vectors.npy", "vector_ids.npy", "vectors.hnsw"):
                (self.folder / name).unlink(missing_ok=True)
            self._index, self._index_generation = None, self.generation
            return None
        self._index = VectorIndex.build(self.folder, ids, docs, matrix, embedder=embedder,
                                        generation=self.generation)
        self._index_generation = self.generation
        return self._index

    def vector_index(self) -> VectorIndex | None:
        """The vector index matching this database; a writable store rebuilds a stale one."""
        with self._lock:
            generation = self.generation
            if self._index_generation == generation:
                return self._index
            index = VectorIndex.load(self.folder)
            stale = index is not None and (index.info.generation != generation or
                                           index.info.embedder != self.embedder)
            missing = index is None and self.embedder is not None
            if stale or missing:
                if self.readonly:
                    raise VectorIndexError(
                        f"the vector files in {self.folder} do not match its database; "
                        "pull the bundle again"
                    )
                return self.rebuild_index()
            self._index, self._index_generation = index, generation
            return index
