"""Patient text at rest is sealed: a stolen file reveals nothing; keys live in the keyring."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from engine.storage import KeyStore, NoticeCode, UnknownCase, Unreadable
from engine.storage.crypto import Sealer, new_key
from engine.storage.keys import SERVICE
from tests.storage.helpers import (
    PATIENT_TEXT,
    assert_no_patient_text,
    encodings_of,
    raw_bytes,
)

PICTURE = b"\x89PNG" + "心电图 ST段抬高 张秀英".encode() * 50


def _fill(journal) -> str:
    case_id = journal.new_case("胸痛通用")
    journal.record(case_id, "typed_text", PATIENT_TEXT)
    journal.record(case_id, "dictation", PATIENT_TEXT[::-1])
    journal.record(case_id, "fields", {"complaint": "胸痛", "name": "张秀英"})
    journal.attach(case_id, "张秀英_心电图.png", PICTURE)
    journal.append_audio(case_id, "张秀英".encode() * 100)
    journal.save_draft(case_id, {"present_illness": PATIENT_TEXT})
    journal.flush()
    return case_id


def test_a_stolen_journal_reveals_no_patient_text(open_journal, sentinel_home: Path) -> None:
    journal = open_journal()
    _fill(journal)

    # While open: the main file and its WAL, as a thief copying the folder would get them.
    wal = journal.folder / "journal.db-wal"
    assert wal.exists() and wal.stat().st_size > 0
    while_open = raw_bytes(sentinel_home)
    journal.close()
    after_close = raw_bytes(sentinel_home)

    for data in (while_open, after_close):
        assert_no_patient_text(data, extra=("心电图", "ST段抬高"))
        assert PICTURE not in data
        # The search itself works: the plain template name is there to be found.
        assert "胸痛通用".encode() in data


def test_the_search_would_find_plain_text(tmp_path: Path) -> None:
    """The check above can fail: the same text written plainly is found in the raw bytes."""
    conn = sqlite3.connect(tmp_path / "plain.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (text TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (PATIENT_TEXT,))
    conn.commit()
    with pytest.raises(AssertionError, match="found in the raw bytes"):
        assert_no_patient_text(raw_bytes(tmp_path))
    conn.close()


def test_the_key_is_in_the_os_keyring_not_in_the_folder(open_journal, sentinel_home: Path,
                                                        memory_keyring) -> None:
    journal = open_journal()
    _fill(journal)
    journal.close()

    names = [name for service, name in memory_keyring.secrets if service == SERVICE]
    assert any(name.startswith("journal:") for name in names)
    assert not (sentinel_home / "keys").exists()
    stored = memory_keyring.secrets[(SERVICE, KeyStore(sentinel_home).entry_name("journal"))]
    assert stored.encode() not in raw_bytes(sentinel_home)
    assert journal.notices() == []


def test_sealed_values_do_not_open_in_another_row(open_journal) -> None:
    journal = open_journal()
    case_id = _fill(journal)
    path = journal.folder / "journal.db"
    journal.close()

    # Someone with file access swaps the typed text into the draft's row.
    conn = sqlite3.connect(path)
    typed = conn.execute("SELECT sealed FROM case_values WHERE field = 'typed_text'").fetchone()
    conn.execute("UPDATE case_values SET sealed = ? WHERE field = 'dictation'", typed)
    conn.commit()
    conn.close()

    values = open_journal().case(case_id).values
    assert "dictation" not in values  # refused, not shown as if it were the dictation
    assert values["typed_text"] == PATIENT_TEXT


def test_a_changed_byte_is_refused() -> None:
    sealer = Sealer(new_key())
    sealed = bytearray(sealer.seal(PATIENT_TEXT.encode(), "case/value/typed_text"))
    sealed[-1] ^= 1
    with pytest.raises(Unreadable, match="cannot be decrypted"):
        sealer.open(bytes(sealed), "case/value/typed_text")
    with pytest.raises(Unreadable, match="known format"):
        sealer.open(b"\x02" + bytes(sealed[1:]), "case/value/typed_text")


def test_key_loss_is_told_old_cases_unreadable_new_work_goes_on(open_journal, clock,
                                                                memory_keyring) -> None:
    journal = open_journal()
    old_case = _fill(journal)
    journal.close()
    memory_keyring.secrets.clear()  # the profile was reset: the keyring is empty

    after_loss = open_journal()
    [notice] = after_loss.notices()
    assert notice.code == NoticeCode.KEY_LOST
    assert "1 saved case(s) from before cannot be opened" in notice.message
    assert "New work is saved normally" in notice.message
    assert after_loss.open_cases() == []
    assert after_loss.unreadable_cases() == [old_case]
    with pytest.raises(UnknownCase, match="lost key"):
        after_loss.case(old_case)

    new_case = after_loss.new_case()
    after_loss.record(new_case, "typed_text", "新的病例")
    after_loss.close()

    later = open_journal()
    assert [case.values["typed_text"] for case in later.open_cases()] == ["新的病例"]
    assert later.notices() == []  # told once, not at every start
    assert later.unreadable_cases() == [old_case]
    clock.advance(25)
    assert later.purge_expired().cases == 2
    assert later.unreadable_cases() == []


@pytest.fixture
def no_keyring() -> None:
    """A machine without any keyring: keyring's own 'fail' backend, as on headless Linux."""
    keyring.set_keyring(keyring.backends.fail.Keyring())


def test_without_a_keyring_the_key_file_is_private_and_the_user_warned(
        open_journal, sentinel_home: Path, no_keyring: None,
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        journal = open_journal()
    case_id = _fill(journal)
    journal.close()

    key_file = sentinel_home / "keys" / "journal.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    [notice] = journal.notices()
    assert notice.code == NoticeCode.KEY_FILE
    assert str(key_file) in notice.message and "ask IT" in notice.message
    assert str(key_file) in caplog.text

    again = open_journal()
    assert again.case(case_id).values["typed_text"] == PATIENT_TEXT
    assert_no_patient_text(raw_bytes(sentinel_home / "journal"))


def test_a_key_file_others_can_read_is_made_private(open_journal, sentinel_home: Path,
                                                    no_keyring: None,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    open_journal().close()
    key_file = sentinel_home / "keys" / "journal.key"
    os.chmod(key_file, 0o644)
    with caplog.at_level(logging.WARNING):
        open_journal()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "readable by others" in caplog.text


def test_a_keyring_that_appears_later_takes_the_key_over(open_journal, sentinel_home: Path,
                                                         memory_keyring) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    journal = open_journal()
    case_id = _fill(journal)
    journal.close()
    key_file = sentinel_home / "keys" / "journal.key"
    assert key_file.exists()

    keyring.set_keyring(memory_keyring)
    again = open_journal()
    assert again.case(case_id).values["typed_text"] == PATIENT_TEXT
    assert not key_file.exists()
    assert again.notices() == []


def test_a_damaged_key_file_is_moved_and_told_as_key_loss(open_journal, sentinel_home: Path,
                                                          no_keyring: None) -> None:
    journal = open_journal()
    _fill(journal)
    journal.close()
    key_file = sentinel_home / "keys" / "journal.key"
    key_file.write_bytes(b"not base64 at all\n")

    again = open_journal()
    assert (sentinel_home / "keys" / "journal.damaged").exists()
    assert NoticeCode.KEY_LOST in [notice.code for notice in again.notices()]
    assert len(again.unreadable_cases()) == 1


def test_each_data_folder_has_its_own_keys(tmp_path: Path) -> None:
    first = KeyStore(tmp_path / "a", user="doctor").get_or_create("journal")
    second = KeyStore(tmp_path / "b", user="doctor").get_or_create("journal")
    assert first.key != second.key
    assert KeyStore(tmp_path / "a", user="doctor").get_or_create("journal").key == first.key


def test_the_raw_words_are_searched_in_several_encodings() -> None:
    assert len(set(encodings_of("胸痛"))) == 4
