"""Schemas are built by small named steps, recorded once applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from engine.storage import NewerSchema
from engine.storage.audit import AUDIT_MIGRATIONS
from engine.storage.case_store import JOURNAL_MIGRATIONS
from engine.storage.migrations import Migration, applied, migrate

JOURNAL_COLUMNS = {
    "cases": ["case_id", "created_at", "updated_at", "status", "template", "key_id"],
    "case_values": ["case_id", "field", "sealed", "changed_at"],
    "attachments": ["attachment_id", "case_id", "kind", "sealed_name", "sealed_data", "size",
                    "added_at"],
    "audio_chunks": ["case_id", "seq", "sealed"],
    "meta": ["name", "value"],
    "_migrations": ["name", "applied_at"],
}


def _columns(conn: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {table: [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            for table in tables}


def test_an_empty_journal_gets_exactly_the_expected_columns(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "j.db", isolation_level=None)
    done = migrate(conn, JOURNAL_MIGRATIONS, "journal")
    assert done == [step.name for step in JOURNAL_MIGRATIONS]
    assert _columns(conn) == JOURNAL_COLUMNS
    assert applied(conn) == done


def test_an_empty_audit_log_gets_its_table_and_append_only_triggers(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    migrate(conn, AUDIT_MIGRATIONS, "audit")
    assert _columns(conn) == {"_migrations": ["name", "applied_at"],
                              "entries": ["seq", "body", "hash", "seal"]}
    triggers = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert triggers == {"entries_append_only_update", "entries_append_only_delete"}


def test_a_second_run_applies_nothing_and_an_old_database_gets_the_rest(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "j.db", isolation_level=None)
    assert migrate(conn, JOURNAL_MIGRATIONS[:2], "journal") == ["0001-cases",
                                                               "0002-attachments"]
    assert migrate(conn, JOURNAL_MIGRATIONS, "journal") == ["0003-audio", "0004-meta"]
    assert migrate(conn, JOURNAL_MIGRATIONS, "journal") == []
    assert _columns(conn) == JOURNAL_COLUMNS


def test_a_step_this_version_does_not_know_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "j.db", isolation_level=None)
    migrate(conn, JOURNAL_MIGRATIONS, "journal")
    conn.execute("INSERT INTO _migrations VALUES ('0005-later', 0)")
    with pytest.raises(NewerSchema, match="0005-later"):
        migrate(conn, JOURNAL_MIGRATIONS, "journal")


def test_a_failing_step_is_not_recorded(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    steps = (Migration("0001-a", ("CREATE TABLE a (x)",)),
             Migration("0002-broken", ("CREATE TABLE b (x)", "NOT SQL AT ALL")))
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, steps, "test")
    assert applied(conn) == ["0001-a"]
    assert "b" not in _columns(conn)  # the half-done step was rolled back


def test_repeated_step_names_are_a_bug(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    steps = (Migration("0001-a", ()), Migration("0001-a", ()))
    with pytest.raises(ValueError, match="repeat"):
        migrate(conn, steps, "test")
