"""A full disk while autosaving: nothing typed is lost, the user is told, saving resumes."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from engine.storage import DiskFull, Notice, NoticeCode, database
from tests.storage.helpers import PATIENT_TEXT

UNLIMITED_PAGES = 1_073_741_823


class FillableDisk:
    """Journal connections whose database may not grow: SQLite's page limit plays the disk."""

    def __init__(self) -> None:
        self.connections: list[sqlite3.Connection] = []

    def connect(self, path: Path) -> sqlite3.Connection:
        conn = database.connect(path)
        self.connections.append(conn)
        return conn

    def fill(self) -> None:
        conn = self.connections[-1]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    def free(self) -> None:
        self.connections[-1].execute(f"PRAGMA max_page_count = {UNLIMITED_PAGES}")


@pytest.fixture
def disk() -> FillableDisk:
    return FillableDisk()


def test_nothing_is_lost_while_the_disk_is_full(open_journal, disk: FillableDisk) -> None:
    told: list[Notice] = []
    full = threading.Event()

    def listen(notice: Notice) -> None:
        told.append(notice)
        if notice.code == NoticeCode.DISK_FULL:
            full.set()

    journal = open_journal(connect=disk.connect, on_notice=listen)
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", "开始")
    journal.flush()
    disk.fill()

    picture = os.urandom(300_000)
    attachment_id = journal.attach(case_id, "ct.png", picture)
    assert full.wait(timeout=30), "the writer thread should hit the full disk and tell"
    for end in range(1, len(PATIENT_TEXT) + 1):
        journal.record(case_id, "typed_text", PATIENT_TEXT[:end])  # typing goes on
    journal.append_audio(case_id, b"\x07" * 1000)

    with pytest.raises(DiskFull, match="kept in memory") as raised:
        journal.flush()
    assert "free space" in str(raised.value) and "keep ED Sentinel open" in str(raised.value)
    assert journal.problem is not None
    assert journal.unsaved_changes() >= 3
    # Everything is still there, in memory, for the panel to show and to save later.
    assert journal.case(case_id).values["typed_text"] == PATIENT_TEXT
    assert journal.attachment(case_id, attachment_id) == picture
    assert journal.audio(case_id) == b"\x07" * 1000

    disk.free()
    journal.flush()

    assert journal.problem is None
    assert journal.unsaved_changes() == 0
    assert [notice.code for notice in told] == [NoticeCode.DISK_FULL, NoticeCode.SAVING_AGAIN]
    journal.close()
    again = open_journal()
    assert again.case(case_id).values["typed_text"] == PATIENT_TEXT
    assert again.attachment(case_id, attachment_id) == picture
    assert again.audio(case_id) == b"\x07" * 1000


def test_the_writer_retries_by_itself_once_there_is_room(open_journal,
                                                         disk: FillableDisk) -> None:
    saving_again = threading.Event()

    def listen(notice: Notice) -> None:
        if notice.code == NoticeCode.SAVING_AGAIN:
            saving_again.set()

    journal = open_journal(connect=disk.connect, on_notice=listen)
    case_id = journal.new_case()
    journal.flush()
    disk.fill()
    journal.record(case_id, "typed_text", PATIENT_TEXT * 200)
    with pytest.raises(DiskFull):
        journal.flush()

    disk.free()  # no flush() from here: the writer's retry finds the room
    assert saving_again.wait(timeout=30)
    assert journal.unsaved_changes() == 0


def test_closing_on_a_full_disk_says_so(open_journal, disk: FillableDisk) -> None:
    journal = open_journal(connect=disk.connect)
    case_id = journal.new_case()
    journal.flush()
    disk.fill()
    journal.record(case_id, "typed_text", PATIENT_TEXT * 200)
    with pytest.raises(DiskFull, match="full"):
        journal.close()


def test_an_enospc_from_the_file_system_counts_as_full() -> None:
    import errno

    assert database.is_full(OSError(errno.ENOSPC, "No space left on device"))
    assert not database.is_full(OSError(errno.EACCES, "Permission denied"))
