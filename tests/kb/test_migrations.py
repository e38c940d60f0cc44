"""Schema steps: an empty database ends with exactly the expected tables and columns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from kb.errors import SchemaTooNew, StoreError
from kb.feedback import FeedbackLog
from kb.migrations import FEEDBACK_MIGRATIONS, STORE_MIGRATIONS, applied, migrate
from kb.store import DB_FILE, KnowledgeStore

EXPECTED_STORE_COLUMNS = {
    "documents": ["id", "doc_key", "title", "file_name", "source", "kind", "department",
                  "level", "version", "revision", "sha256", "size_bytes", "imported_at"],
    "chunks": ["id", "document_id", "ordinal", "section", "text", "start", "end", "text_hash",
               "simhash"],
    "document_tags": ["document_id", "tag", "origin"],
    "tag_edits": ["doc_key", "tag", "action", "edited_at"],
    "chunk_vectors": ["chunk_id", "vector"],
    "kb_meta": ["key", "value"],
    "kb_migrations": ["name", "applied_at"],
}


def _columns(path: Path) -> dict[str, list[str]]:
    db = sqlite_utils.Database(sqlite3.connect(path))
    tables = {name: [column.name for column in db[name].columns]  # type: ignore[union-attr]
              for name in db.table_names() if not name.startswith("chunks_fts")}
    db.close()
    return tables


def test_an_empty_store_ends_with_exactly_the_expected_columns(tmp_path: Path) -> None:
    KnowledgeStore.open(tmp_path, create=True).close()

    assert _columns(tmp_path / DB_FILE) == EXPECTED_STORE_COLUMNS


def test_the_full_text_table_is_fts5_with_unicode61(tmp_path: Path) -> None:
    KnowledgeStore.open(tmp_path, create=True).close()
    conn = sqlite3.connect(tmp_path / DB_FILE)

    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'chunks_fts'").fetchone()[0]

    assert "fts5" in sql and "unicode61" in sql and "trigram" not in sql


def test_every_step_is_recorded_once_in_order(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)

    first = migrate(conn, STORE_MIGRATIONS)
    second = migrate(conn, STORE_MIGRATIONS)

    assert first == [step.name for step in STORE_MIGRATIONS]
    assert second == []
    assert applied(conn) == first


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)
    migrate(conn, STORE_MIGRATIONS)
    conn.execute("INSERT INTO kb_migrations VALUES ('999_from_the_future', 'now')")

    with pytest.raises(SchemaTooNew, match="999_from_the_future"):
        migrate(conn, STORE_MIGRATIONS)


def test_a_failing_step_leaves_nothing_half_applied(tmp_path: Path) -> None:
    from kb.migrations import Migration

    conn = sqlite3.connect(tmp_path / "x.sqlite", isolation_level=None)
    broken = (Migration("001_ok", "CREATE TABLE a (x)"),
              Migration("002_broken", "CREATE TABLE b (y); CREATE TABLE a (x)"))

    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, broken)

    assert applied(conn) == ["001_ok"]
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "b" not in tables


def test_feedback_database_columns(tmp_path: Path) -> None:
    FeedbackLog(tmp_path).close()
    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "feedback.sqlite"))

    assert [c.name for c in db["feedback"].columns] == [  # type: ignore[union-attr]
        "id", "created_at", "verdict", "correction", "chunk_id", "document", "section",
        "document_version", "kb_version", "draft_id", "role", "department"]
    assert [row["name"] for row in db["kb_migrations"].rows] == \
        [step.name for step in FEEDBACK_MIGRATIONS]


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / DB_FILE).write_bytes(b"this is not sqlite" * 100)

    with pytest.raises(StoreError, match="not a usable knowledge-base database"):
        KnowledgeStore.open(tmp_path)
