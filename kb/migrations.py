"""Schema migrations: small named steps, applied in order, each recorded once it has run.

A database records the names of the steps applied to it in `kb_migrations`. Opening a database
that holds a step this code does not know means a newer ED Sentinel wrote it; that is refused
rather than guessed at.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from kb.errors import SchemaTooNew

log = logging.getLogger(__name__)

RECORD_TABLE = "kb_migrations"


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str


STORE_MIGRATIONS: tuple[Migration, ...] = (
    Migration("001_documents", """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            doc_key TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            file_name TEXT NOT NULL,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            department TEXT NOT NULL,
            level TEXT NOT NULL CHECK (level IN ('public', 'department', 'restricted')),
            version TEXT NOT NULL,
            revision INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE INDEX documents_access ON documents (level, department);
    """),
    Migration("002_chunks", """
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            section TEXT NOT NULL,
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text_hash TEXT NOT NULL,
            simhash INTEGER NOT NULL,
            UNIQUE (document_id, ordinal)
        );
    """),
    # jieba-segmented words, space-joined: unicode61 then matches two-character terms such as
    # 胸痛, which the trigram tokenizer never does.
    Migration("003_chunks_fts", """
        CREATE VIRTUAL TABLE chunks_fts USING fts5 (
            tokens, tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE VIRTUAL TABLE chunks_fts_vocab USING fts5vocab (chunks_fts, row);
    """),
    Migration("004_tags", """
        CREATE TABLE document_tags (
            document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('auto', 'import', 'editor')),
            PRIMARY KEY (document_id, tag)
        );
        CREATE INDEX document_tags_by_tag ON document_tags (tag, document_id);
        CREATE TABLE tag_edits (
            doc_key TEXT NOT NULL,
            tag TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
            edited_at TEXT NOT NULL,
            PRIMARY KEY (doc_key, tag)
        );
    """),
    Migration("005_vectors", """
        CREATE TABLE chunk_vectors (
            chunk_id INTEGER PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
            vector BLOB NOT NULL
        );
    """),
    Migration("006_meta", """
        CREATE TABLE kb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO kb_meta (key, value) VALUES ('generation', '0');
    """),
)

FEEDBACK_MIGRATIONS: tuple[Migration, ...] = (
    Migration("001_feedback", """
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            verdict TEXT NOT NULL,
            correction TEXT NOT NULL,
            chunk_id INTEGER,
            document TEXT NOT NULL,
            section TEXT NOT NULL,
            document_version TEXT NOT NULL,
            kb_version TEXT NOT NULL,
            draft_id TEXT NOT NULL,
            role TEXT NOT NULL,
            department TEXT NOT NULL
        );
    """),
)


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the steps recorded in this database, in the order they ran."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (RECORD_TABLE,)
    ).fetchone()
    if not exists:
        return []
    rows = conn.execute(f"SELECT name FROM {RECORD_TABLE} ORDER BY rowid").fetchall()
    return [row[0] for row in rows]


def migrate(conn: sqlite3.Connection, steps: Sequence[Migration]) -> list[str]:
    """Apply the steps not yet recorded; returns the names applied now."""
    known = {step.name for step in steps}
    done = applied(conn)
    unknown = [name for name in done if name not in known]
    if unknown:
        raise SchemaTooNew(
            f"the database has schema steps this version does not know ({', '.join(unknown)});"
            " it was written by a newer ED Sentinel: update this workstation"
        )

    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {RECORD_TABLE} "
        "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    ran = []
    for step in steps:
        if step.name in done:
            continue
        # Each step and its record commit together, so a crash never half-applies one.
        with transaction(conn):
            for statement in _statements(step.sql):
                conn.execute(statement)
            conn.execute(
                f"INSERT INTO {RECORD_TABLE} (name, applied_at) VALUES (?, ?)",
                (step.name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        log.debug("applied schema step %s", step.name)
        ran.append(step.name)
    return ran


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error.

    Connections are opened in autocommit mode (`isolation_level=None`) so that DDL is
    transactional too and nothing commits behind our back.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _statements(sql: str) -> list[str]:
    # Our steps hold no semicolons inside literals or triggers, so a plain split is exact.
    return [part.strip() for part in sql.split(";") if part.strip()]
