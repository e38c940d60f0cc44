"""A damaged journal is detected, moved aside, salvaged into a fresh one, and the user told."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from engine.storage import NoticeCode
from engine.storage import case_store as case_store_module
from engine.storage.database import Damaged
from tests.storage.helpers import PATIENT_TEXT


def _journal_with_cases(open_journal, count: int = 12) -> tuple[Path, list[str]]:
    journal = open_journal()
    case_ids = []
    for number in range(count):
        case_id = journal.new_case()
        journal.record(case_id, "typed_text", _text(number))
        journal.attach(case_id, "a.png", os.urandom(3000))
        case_ids.append(case_id)
    journal.close()
    return journal.folder / "journal.db", case_ids


def _text(number: int) -> str:
    """Texts of growing length: the longer ones spill onto overflow pages."""
    return f"{number}:{PATIENT_TEXT * (number + 1) * 4}"


def _overwrite(path: Path, offset: int, length: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset:offset + length] = os.urandom(length)
    path.write_bytes(bytes(data))


def _damage_notice(journal) -> str:
    """What the user was told about damage (a moved file, then values that do not decrypt)."""
    messages = [notice.message for notice in journal.notices()
                if notice.code == NoticeCode.DAMAGED]
    assert messages, "the user must be told"
    return " | ".join(messages)


@pytest.mark.parametrize("damage", ["header", "whole file", "truncated"])
def test_an_unreadable_file_is_moved_aside_and_a_fresh_one_started(open_journal,
                                                                   damage: str) -> None:
    path, _ = _journal_with_cases(open_journal)
    if damage == "header":
        _overwrite(path, 0, 100)
    elif damage == "whole file":
        path.write_bytes(os.urandom(path.stat().st_size))
    else:
        path.write_bytes(path.read_bytes()[:5000])

    journal = open_journal()

    message = _damage_notice(journal)
    [moved] = [found for found in path.parent.glob("journal.db.damaged-*")
               if not found.name.endswith(("-wal", "-shm"))]
    assert str(moved) in message
    assert "a fresh one was started" in message and "Check your open cases" in message
    if damage == "header":
        # Only the header was hit: read through a fresh header, every case comes back.
        assert "12 case(s) could be copied" in message
        assert sorted(case.values["typed_text"] for case in journal.open_cases()) == sorted(
            _text(number) for number in range(12))
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", "after the damage")
    journal.close()
    assert open_journal().case(case_id).values["typed_text"] == "after the damage"
    assert not list(path.parent.glob("*.repair")) and not list(path.parent.glob("*.template"))


def _first_page(path: Path, table: str, kind: str) -> int:
    """A page of the file by its role, from SQLite's own page map (dbstat)."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT MIN(pageno) FROM dbstat WHERE name = ? AND pagetype = ?",
                                (table, kind)).fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize(("table", "kind"), [
    ("cases", "leaf"),  # every case row
    ("case_values", "leaf"),  # some of the typed texts
    ("case_values", "overflow"),  # the middle of one long text
    ("attachments", "internal"),  # the index of the pictures
])
def test_cases_still_readable_in_a_damaged_file_are_salvaged(open_journal, table: str,
                                                             kind: str) -> None:
    path, case_ids = _journal_with_cases(open_journal)
    page = _first_page(path, table, kind)
    _overwrite(path, (page - 1) * 4096, 4096)

    journal = open_journal()

    assert _damage_notice(journal)
    found = {case.case_id: case for case in journal.open_cases()}
    intact = 0
    for case in found.values():
        text = case.values.get("typed_text")
        if text is None:
            continue
        # What comes back is whole: it decrypts and reads as it was written.
        number = int(str(text).split(":")[0])
        assert text == _text(number)
        assert case.case_id == case_ids[number]
        intact += 1
    assert intact >= len(case_ids) // 2, "one bad page should cost few cases"


def test_a_file_that_goes_bad_while_open_is_replaced_with_what_is_in_memory(
        open_journal, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = open_journal()
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", PATIENT_TEXT)
    journal.flush()

    real_write = case_store_module.CaseStore.write
    failures = iter([Damaged("database disk image is malformed (injected)")])

    def write_once_damaged(self, batch, sealer) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        real_write(self, batch, sealer)

    monkeypatch.setattr(case_store_module.CaseStore, "write", write_once_damaged)
    journal.record(case_id, "dictation", "患者诉胸闷")
    journal.flush()

    assert "injected" in _damage_notice(journal)
    journal.close()
    values = open_journal().case(case_id).values
    assert values["typed_text"] == PATIENT_TEXT
    assert values["dictation"] == "患者诉胸闷"


def test_a_database_from_a_newer_version_is_refused_not_moved(open_journal) -> None:
    journal = open_journal()
    journal.close()
    conn = sqlite3.connect(journal.folder / "journal.db")
    conn.execute("INSERT INTO _migrations VALUES ('9999-from-the-future', 0)")
    conn.commit()
    conn.close()

    from engine.storage import NewerSchema

    with pytest.raises(NewerSchema, match="newer ED Sentinel"):
        open_journal()
    assert not list(journal.folder.glob("*.damaged-*"))
