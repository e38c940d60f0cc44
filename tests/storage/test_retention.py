"""Cases are purged after the retention time, attachments and audio with them, leaving no bytes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from engine.storage import CaseJournal
from tests.storage.helpers import PATIENT_TEXT, Clock, raw_bytes


def _sealed_blobs(path: Path) -> list[bytes]:
    """The ciphertexts in the file, read as anyone with the file could."""
    conn = sqlite3.connect(path)
    try:
        blobs = [row[0] for row in conn.execute("SELECT sealed FROM case_values")]
        blobs += [row[0] for row in conn.execute("SELECT sealed_data FROM attachments")]
        blobs += [row[0] for row in conn.execute("SELECT sealed FROM audio_chunks")]
    finally:
        conn.close()
    return blobs


def _fill(journal: CaseJournal) -> str:
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", PATIENT_TEXT * 20)
    journal.attach(case_id, "ecg.png", os.urandom(20_000))
    journal.append_audio(case_id, os.urandom(8_000))
    journal.flush()
    return case_id


def _windows(blob: bytes, width: int = 24) -> list[bytes]:
    """Slices of a ciphertext: no piece of it may survive, not just the whole."""
    return [blob[start:start + width] for start in range(0, len(blob) - width, 97)]


def test_expired_cases_leave_no_bytes_in_the_file_or_its_wal(open_journal,
                                                             clock: Clock) -> None:
    journal = open_journal()
    case_id = _fill(journal)
    path = journal.folder / "journal.db"
    blobs = _sealed_blobs(path)
    before = raw_bytes(journal.folder)
    # The search finds them while they exist (a window may straddle two overflow pages).
    for blob in blobs:
        found = [window in before for window in _windows(blob)]
        assert sum(found) >= 0.9 * len(found)

    clock.advance(24.01)
    report = journal.purge_expired()

    assert report.cases == 1
    after = raw_bytes(journal.folder)
    for blob in blobs:
        assert not any(window in after for window in _windows(blob))
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert journal.open_cases() == []
    assert _sealed_blobs(path) == []
    assert case_id not in [case.case_id for case in open_journal().open_cases()]


def test_deleting_without_secure_delete_would_leave_the_bytes(tmp_path: Path) -> None:
    """The check above can fail: a plain DELETE leaves the old cells in the file."""
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA secure_delete=OFF")
    conn.execute("CREATE TABLE t (blob BLOB)")
    secret = os.urandom(3000)
    conn.execute("INSERT INTO t VALUES (?)", (secret,))
    conn.commit()
    conn.execute("DELETE FROM t")
    conn.commit()
    conn.close()
    assert any(window in path.read_bytes() for window in _windows(secret))


def test_retention_counts_from_the_last_change(open_journal, clock: Clock) -> None:
    journal = open_journal()
    stale, busy = journal.new_case(), journal.new_case()
    journal.record(stale, "typed_text", "旧")
    clock.advance(20)
    journal.record(busy, "typed_text", "still being typed")
    clock.advance(4.5)

    report = journal.purge_expired()

    assert report.cases == 1
    assert [case.case_id for case in journal.open_cases()] == [busy]
    clock.advance(20)
    assert journal.purge_expired().cases == 1


def test_closed_cases_are_purged_too(open_journal, clock: Clock) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    journal.close_case(case_id)
    clock.advance(25)
    assert journal.purge_expired().cases == 1


def test_expired_cases_are_purged_when_the_journal_opens(open_journal, clock: Clock) -> None:
    journal = open_journal()
    _fill(journal)
    journal.close()
    clock.advance(30)
    again = open_journal()
    assert again.open_cases() == []
    assert _sealed_blobs(again.folder / "journal.db") == []


def test_the_retention_time_is_configurable(open_journal, clock: Clock) -> None:
    journal = open_journal(retention_hours=2)
    journal.new_case()
    clock.advance(1.9)
    assert journal.purge_expired().cases == 0
    clock.advance(0.2)
    assert journal.purge_expired().cases == 1


def test_cases_never_written_to_disk_are_purged_from_memory(open_journal,
                                                            clock: Clock) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", "x")
    clock.advance(25)
    assert journal.purge_expired().cases == 1
    assert journal.unsaved_changes() == 0


def test_damaged_journals_moved_aside_are_deleted_on_time(open_journal, clock: Clock) -> None:
    journal = open_journal()
    journal.close()
    moved = journal.folder / "journal.db.damaged-20250101-000000"
    moved.write_bytes(b"old sealed cases" * 100)
    os.utime(moved, (clock.now, clock.now))

    again = open_journal()
    assert again.purge_expired().damaged_files == 0
    clock.advance(25)
    assert again.purge_expired().damaged_files == 1
    assert not moved.exists()
