"""The audit log: every generation and copy, tamper-evident, and without patient text."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.storage import AuditLog, BadValue, DiskFull, NoticeCode
from engine.storage.audit import HEAD_NAME, HEAD_SECRET, KINDS
from engine.storage.keys import SERVICE, KeyStore
from tests.storage.helpers import PATIENT_TEXT, Clock, assert_no_patient_text, raw_bytes

PROVENANCE = {"engine": "rules+model", "model": "deepseek-r1-distill-qwen-7b",
              "server": "http://box:8080", "prompt_id": "ed_history",
              "prompt_version": "ed_history@3f2a", "kb_version": "kb-2025.03",
              "created_at": "2025-03-01T08:00:00", "timings": {"total_s": 1.2}}


@pytest.fixture
def open_audit(sentinel_home: Path, clock: Clock) -> Iterator:
    opened: list[AuditLog] = []

    def factory() -> AuditLog:
        audit = AuditLog.open(sentinel_home, clock=clock, workstation="ED-PC-07",
                              user="dr_wang")
        opened.append(audit)
        return audit

    yield factory
    for audit in opened:
        audit.close()


def _fill(audit: AuditLog, clock: Clock, count: int = 6) -> None:
    for number in range(count):
        clock.advance(0.5)
        if number % 2 == 0:
            audit.record_generation(case_id=f"case{number}", template="胸痛通用",
                                    provenance=PROVENANCE,
                                    inputs={"typed_text": PATIENT_TEXT, "n": number},
                                    output={"present_illness": PATIENT_TEXT},
                                    his_user="D1024")
        else:
            audit.record_copy(case_id=f"case{number - 1}", template="胸痛通用",
                              provenance=PROVENANCE, section="现病史", text=PATIENT_TEXT)


def _tamper(home: Path, *statements: str) -> None:
    """Change the file as someone with access to it could: around the triggers."""
    conn = sqlite3.connect(home / "audit" / "audit.db", isolation_level=None)
    conn.execute("DROP TRIGGER entries_append_only_update")
    conn.execute("DROP TRIGGER entries_append_only_delete")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def _rows(home: Path) -> list[tuple[int, str, str, str]]:
    conn = sqlite3.connect(home / "audit" / "audit.db")
    try:
        return conn.execute("SELECT seq, body, hash, seal FROM entries ORDER BY seq").fetchall()
    finally:
        conn.close()


def test_each_entry_says_who_when_and_with_what(open_audit, clock: Clock) -> None:
    audit = open_audit()
    _fill(audit, clock, count=2)
    generation, copy = list(audit.entries())

    assert generation["kind"] == "generation" and copy["kind"] == "copy"
    assert generation["os_user"] == "dr_wang" and generation["workstation"] == "ED-PC-07"
    assert generation["his_user"] == "D1024" and copy["his_user"] is None
    assert generation["template"] == "胸痛通用"
    assert generation["engine"] == "rules+model"
    assert generation["model"] == "deepseek-r1-distill-qwen-7b"
    assert generation["prompt_version"] == "ed_history@3f2a"
    assert generation["kb_version"] == "kb-2025.03"
    assert copy["section"] == "现病史"
    assert generation["at"] == datetime.fromtimestamp(clock.now - 1800, UTC).isoformat(
        timespec="milliseconds")
    assert len(generation["input_hmac"]) == len(generation["output_hmac"]) == 64
    assert copy["output_hmac"] == audit.text_hmac(PATIENT_TEXT)
    assert audit.verify().ok


def test_the_log_holds_no_patient_text(open_audit, clock: Clock, sentinel_home: Path) -> None:
    audit = open_audit()
    _fill(audit, clock)
    audit.close()
    assert_no_patient_text(raw_bytes(sentinel_home / "audit"))


def test_hmacs_do_not_reveal_short_texts(open_audit, clock: Clock, tmp_path: Path) -> None:
    audit = open_audit()
    entry = audit.record_copy(case_id="c", template="", provenance={"engine": "rules"},
                              section="主诉", text="胸痛")
    kept = entry.body["output_hmac"]

    # Without the key, hashing candidate texts finds nothing: not even the right one.
    candidates = ["".join(pair) for pair in itertools.product("胸腹头背痛闷晕咳喘", repeat=2)]
    assert "胸痛" in candidates
    for candidate in candidates:
        data = candidate.encode()
        for digest in (hashlib.sha256, hashlib.sha1, hashlib.md5, hashlib.sha512):
            assert digest(data).hexdigest() != kept
    # Another workstation's key gives another value for the same text.
    other = AuditLog.open(tmp_path / "elsewhere", clock=clock)
    try:
        assert other.text_hmac("胸痛") != kept
    finally:
        other.close()
    assert audit.text_hmac("胸痛") == kept  # and ours is stable, so it can be matched later


def test_the_log_refuses_update_and_delete(open_audit, clock: Clock,
                                           sentinel_home: Path) -> None:
    _fill(open_audit(), clock, count=2)
    conn = sqlite3.connect(sentinel_home / "audit" / "audit.db")
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE entries SET body = '{}' WHERE seq = 1")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM entries WHERE seq = 2")
    finally:
        conn.close()


def _edit_body(home: Path, seq: int, rehash: bool) -> None:
    body, = [row[1] for row in _rows(home) if row[0] == seq]
    changed = body.replace("rules+model", "rules")
    digest = hashlib.sha256(changed.encode()).hexdigest()
    extra = f", hash = '{digest}'" if rehash else ""
    _tamper(home, f"UPDATE entries SET body = '{changed}'{extra} WHERE seq = {seq}")


def _rewrite_chain_from(home: Path, seq: int) -> None:
    """A careful forger: edits entry `seq` and recomputes every hash after it, without the key
    (so the seals cannot be remade)."""
    rows = _rows(home)
    prev = rows[seq - 2][2] if seq > 1 else "0" * 64
    statements = []
    for number, body, _, _ in rows[seq - 1:]:
        data = json.loads(body)
        data["prev"] = prev
        if number == seq:
            data["engine"] = "rules"
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        prev = hashlib.sha256(text.encode()).hexdigest()
        statements.append(f"UPDATE entries SET body = '{text}', hash = '{prev}' "
                          f"WHERE seq = {number}")
    _tamper(home, *statements)


@pytest.mark.parametrize(("tampering", "first_broken", "why"), [
    (lambda home: _edit_body(home, 3, rehash=False), 3, "no longer matches its hash"),
    (lambda home: _edit_body(home, 3, rehash=True), 3, "seal does not match"),
    (lambda home: _rewrite_chain_from(home, 3), 3, "seal does not match"),
    (lambda home: _tamper(home, "DELETE FROM entries WHERE seq = 3"), 3, "missing"),
    (lambda home: _tamper(home, "DELETE FROM entries WHERE seq = 1"), 1, "missing"),
    (lambda home: _tamper(home, "UPDATE entries SET seq = -4 WHERE seq = 4",
                          "UPDATE entries SET seq = 4 WHERE seq = 3",
                          "UPDATE entries SET seq = 3 WHERE seq = -4"), 3, "reordered"),
    (lambda home: _tamper(home, "DELETE FROM entries WHERE seq >= 5"), 5, "cut from the end"),
    (lambda home: _tamper(home, "DELETE FROM entries WHERE seq = 6"), 6, "cut from the end"),
    (lambda home: _tamper(home, "DELETE FROM entries"), 1, "cut from the end"),
])
def test_any_edit_deletion_reordering_or_cut_names_the_first_broken_entry(
        open_audit, clock: Clock, sentinel_home: Path, tampering, first_broken: int,
        why: str) -> None:
    audit = open_audit()
    _fill(audit, clock)
    assert audit.verify().ok
    audit.close()

    tampering(sentinel_home)

    result = open_audit().verify()
    assert not result.ok
    assert result.first_broken == first_broken
    assert why in result.reason
    assert f"at entry {first_broken}" in result.summary()


def test_a_cut_with_the_head_file_removed_is_caught_by_the_keyring_head(
        open_audit, clock: Clock, sentinel_home: Path) -> None:
    audit = open_audit()
    _fill(audit, clock)
    audit.close()
    _tamper(sentinel_home, "DELETE FROM entries WHERE seq >= 5")
    (sentinel_home / "audit" / HEAD_NAME).unlink()

    result = open_audit().verify()
    assert (result.ok, result.first_broken) == (False, 5)


def test_a_forged_head_is_caught(open_audit, clock: Clock, sentinel_home: Path) -> None:
    audit = open_audit()
    _fill(audit, clock)
    audit.close()
    _tamper(sentinel_home, "DELETE FROM entries WHERE seq >= 5")
    head_file = sentinel_home / "audit" / HEAD_NAME
    head = json.loads(head_file.read_text("utf-8"))
    head["count"], head["hash"] = 4, _rows(sentinel_home)[3][2]  # without the key to seal it
    head_file.write_text(json.dumps(head), "utf-8")

    result = open_audit().verify()
    assert not result.ok and "head in the file was altered" in result.reason


def test_a_break_stays_on_record_after_new_entries(open_audit, clock: Clock,
                                                   sentinel_home: Path) -> None:
    audit = open_audit()
    _fill(audit, clock)
    audit.close()
    _tamper(sentinel_home, "DELETE FROM entries WHERE seq >= 5")

    reopened = open_audit()
    [notice] = reopened.notices()
    assert notice.code == NoticeCode.AUDIT_TAMPERED and "cut from the end" in notice.message
    _fill(reopened, clock, count=4)  # work goes on; the head moves past the cut
    reopened.close()

    result = open_audit().verify()
    assert (result.ok, result.first_broken, result.recorded_in) == (False, 5, 5)
    assert "cut from the end" in result.reason
    kinds = [entry["kind"] for entry in open_audit().entries()]
    assert kinds.count("tamper_found") == 1  # recorded once, not at every opening


def test_a_missing_head_is_reported(open_audit, clock: Clock, sentinel_home: Path,
                                    memory_keyring) -> None:
    audit = open_audit()
    _fill(audit, clock)
    audit.close()
    (sentinel_home / "audit" / HEAD_NAME).unlink()
    memory_keyring.secrets.pop((SERVICE, KeyStore(sentinel_home).entry_name(HEAD_SECRET)))
    result = open_audit().verify()
    assert not result.ok and "head record is missing" in result.reason


def test_a_head_behind_after_a_crash_is_caught_up(open_audit, clock: Clock,
                                                  sentinel_home: Path, memory_keyring) -> None:
    audit = open_audit()
    _fill(audit, clock, count=3)
    head_file = sentinel_home / "audit" / HEAD_NAME
    secret_key = (SERVICE, KeyStore(sentinel_home).entry_name(HEAD_SECRET))
    old_file, old_secret = head_file.read_text("utf-8"), memory_keyring.secrets[secret_key]
    _fill(audit, clock, count=1)
    audit.close()
    # As if the process died after writing the entry but before writing the head.
    head_file.write_text(old_file, "utf-8")
    memory_keyring.secrets[secret_key] = old_secret

    reopened = open_audit()
    result = reopened.verify()
    assert result.ok and result.entries == 4 and result.notes == ()


def test_a_lost_audit_key_is_recorded_in_the_log(open_audit, clock: Clock,
                                                 memory_keyring) -> None:
    audit = open_audit()
    _fill(audit, clock, count=3)
    audit.close()
    memory_keyring.secrets.clear()

    reopened = open_audit()
    [notice] = reopened.notices()
    assert notice.code == NoticeCode.AUDIT_KEY_REPLACED
    last = list(reopened.entries())[-1]
    assert last["kind"] == "key_replaced" and "from 4 on" in last["note"]
    result = reopened.verify()
    assert result.ok and result.entries == 4 and result.unchecked_seals == 3


def test_a_full_disk_keeps_the_entry_for_the_next_write(open_audit, clock: Clock) -> None:
    audit = open_audit()
    _fill(audit, clock, count=1)
    conn = audit._conn  # fault injection: SQLite's page limit plays the full disk
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(DiskFull, match="kept in memory"):
        for number in range(200):
            audit.record_copy(case_id=f"c{number}", template="", section="全部",
                              provenance={"engine": "rules"}, text="x" * 50)
    conn.execute("PRAGMA max_page_count = 1073741823")
    audit.record_copy(case_id="after", template="", provenance={"engine": "rules"},
                      section="全部", text="y")
    entries = list(audit.entries())
    assert entries[-1]["case_id"] == "after"
    assert [entry["seq"] for entry in entries] == list(range(1, len(entries) + 1))
    assert audit.verify().ok


@pytest.mark.parametrize(("change", "why"), [
    ({"provenance": {"model": "x"}}, "engine"),
    ({"provenance": "rules"}, "mapping"),
    ({"template": "胸痛\n患者张三"}, "one line"),
    ({"template": "x" * 201}, "one line"),
    ({"case_id": ""}, "empty"),
    ({"case_id": 7}, "must be text"),
    ({"his_user": "D1\x00"}, "one line"),
    ({"inputs": {1, 2}}, "not JSON"),
])
def test_bad_entries_are_refused(open_audit, change: dict, why: str) -> None:
    audit = open_audit()
    arguments = {"case_id": "c", "template": "胸痛通用", "provenance": PROVENANCE,
                 "inputs": "x", "output": "y", **change}
    with pytest.raises(BadValue, match=why):
        audit.record_generation(**arguments)
    assert list(audit.entries()) == []


def test_export_as_csv_and_json_lines(open_audit, clock: Clock) -> None:
    audit = open_audit()
    _fill(audit, clock, count=4)
    as_csv, as_jsonl = io.StringIO(), io.StringIO()
    assert audit.export(as_csv, "csv") == 4
    assert audit.export(as_jsonl, "jsonl") == 4

    rows = list(csv.DictReader(io.StringIO(as_csv.getvalue())))
    lines = [json.loads(line) for line in as_jsonl.getvalue().splitlines()]
    assert [row["seq"] for row in rows] == ["1", "2", "3", "4"]
    assert [line["kind"] for line in lines] == ["generation", "copy"] * 2
    assert rows[2]["hash"] == lines[2]["hash"] == lines[3]["prev"]
    assert PATIENT_TEXT not in as_csv.getvalue() + as_jsonl.getvalue()


def test_export_since_a_time(open_audit, clock: Clock) -> None:
    audit = open_audit()
    _fill(audit, clock, count=4)
    third = datetime.fromisoformat(list(audit.entries())[2]["at"])
    out = io.StringIO()
    assert audit.export(out, "jsonl", since=third) == 2
    # A time without a zone is this computer's local time.
    local = third.astimezone().replace(tzinfo=None)
    assert audit.export(io.StringIO(), "jsonl", since=local) == 2
    assert audit.export(io.StringIO(), "jsonl", since=local.replace(year=2000)) == 4
    with pytest.raises(BadValue, match="csv or jsonl"):
        audit.export(io.StringIO(), "xml")


def test_the_kinds_are_the_documented_ones(open_audit, clock: Clock) -> None:
    audit = open_audit()
    _fill(audit, clock, count=2)
    assert {entry["kind"] for entry in audit.entries()} <= set(KINDS)


def test_a_damaged_log_file_is_moved_aside_and_the_restart_recorded(
        open_audit, clock: Clock, sentinel_home: Path) -> None:
    audit = open_audit()
    _fill(audit, clock)
    audit.close()
    path = sentinel_home / "audit" / "audit.db"
    path.write_bytes(b"\0" * 100 + path.read_bytes()[100:])

    reopened = open_audit()
    assert [notice.code for notice in reopened.notices()] == [NoticeCode.DAMAGED]
    [moved] = [found for found in path.parent.glob("audit.db.damaged-*")
               if not found.name.endswith(("-wal", "-shm"))]
    [entry] = list(reopened.entries())
    assert entry["kind"] == "restarted" and moved.name in entry["note"]
    assert reopened.verify().ok
