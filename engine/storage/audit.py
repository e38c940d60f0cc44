"""The audit log: who generated or copied what, when, with which prompt, model and knowledge base.

Append-only and hash-chained. Each entry's body is canonical JSON that names the hash of the entry
before it; the entry's hash is SHA-256 of its body, and its seal is an HMAC of that hash with the
audit key from the OS keyring, so entries cannot be rewritten without the key. The head (count
and last hash, sealed too) is kept apart from the log, in `head.json` and in the keyring, so a
cut at the end shows. SQLite triggers refuse UPDATE and DELETE on the entries. A break found
when the log is opened is itself appended as a "tamper_found" entry, so that it stays on record
after later entries move the head on: `verify` reports it from then on.

No patient text is ever written here: inputs and outputs are kept as HMACs under a key of this
computer, so a short text ("胸痛") cannot be guessed by hashing candidates.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import hmac
import json
import logging
import os
import platform
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from engine.home import sentinel_home
from engine.storage import database
from engine.storage.crypto import derive
from engine.storage.errors import AuditError, BadValue, DiskFull
from engine.storage.keys import KeyStore, os_user
from engine.storage.migrations import Migration, migrate
from engine.storage.notices import Notice, NoticeCode

log = logging.getLogger(__name__)

FOLDER = "audit"
DB_NAME = "audit.db"
HEAD_NAME = "head.json"
HEAD_SECRET = "audit-head"
GENESIS = "0" * 64
KINDS = ("generation", "copy", "key_replaced", "restarted", "tamper_found")
PROVENANCE_KEYS = ("engine", "model", "server", "prompt_id", "prompt_version", "kb_version")
MAX_LABEL_CHARS = 200
BODY_FIELDS = (
    "seq", "at", "kind", "os_user", "workstation", "his_user", "case_id", "template",
    "engine", "model", "server", "prompt_id", "prompt_version", "kb_version", "section",
    "input_hmac", "output_hmac", "key_id", "note", "broken_entry", "prev",
)
EXPORT_COLUMNS = (*BODY_FIELDS, "hash", "seal")

AUDIT_MIGRATIONS = (
    Migration("0001-entries", (
        "CREATE TABLE entries (seq INTEGER PRIMARY KEY, body TEXT NOT NULL,"
        " hash TEXT NOT NULL, seal TEXT NOT NULL)",
        "CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries"
        " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    )),
)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    hash: str
    body: Mapping[str, Any]


@dataclass(frozen=True)
class VerifyResult:
    """What `verify` found. `first_broken` names the first entry that fails, if any."""

    ok: bool
    entries: int
    first_broken: int | None = None
    reason: str = ""
    unchecked_seals: int = 0
    notes: tuple[str, ...] = ()
    recorded_in: int | None = None  # the "tamper_found" entry that reports this break

    def summary(self) -> str:
        if self.ok:
            text = f"audit log intact: {self.entries} entries, chain and head agree"
            if self.unchecked_seals:
                text += (f"; {self.unchecked_seals} seal(s) made with an earlier key could not "
                         "be checked")
            return text
        where = f"at entry {self.first_broken}" if self.first_broken is not None else ""
        return f"audit log BROKEN {where}: {self.reason}".replace("  ", " ")


@dataclass
class _Head:
    count: int
    hash: str
    key_id: str
    seal: str
    source: str

    def as_json(self) -> str:
        return json.dumps({"count": self.count, "hash": self.hash, "key_id": self.key_id,
                           "seal": self.seal}, sort_keys=True)


@dataclass
class _Keys:
    key_id: str
    seal_key: bytes
    text_key: bytes
    created: bool
    warning: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class AuditLog:
    """The audit log of one data folder. Thread-safe; create it with `AuditLog.open`."""

    def __init__(self, folder: Path, conn: sqlite3.Connection, keys: _Keys, store: KeyStore,
                 clock: Callable[[], float], workstation: str, user: str) -> None:
        self.folder = folder
        self._conn = conn
        self._keys = keys
        self._store = store
        self._clock = clock
        self.workstation = workstation
        self.os_user = user
        self._lock = threading.Lock()
        self._unwritten: list[dict[str, Any]] = []
        self._notices: list[Notice] = []

    @classmethod
    def open(cls, home: Path | None = None, *, clock: Callable[[], float] = time.time,
             keys: KeyStore | None = None, workstation: str | None = None,
             user: str | None = None) -> AuditLog:
        """Open the audit log of a data folder (default: `sentinel_home()`)."""
        home = sentinel_home() if home is None else home
        folder = home / FOLDER
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        store = KeyStore(home) if keys is None else keys
        key = store.get_or_create("audit")
        audit_keys = _Keys(key.key_id, derive(key.key, "audit-seal"), derive(key.key, "text"),
                           key.created, key.warning)

        path = folder / DB_NAME
        restarted = None
        try:
            conn = _open_sound(path)
        except sqlite3.DatabaseError as exc:
            if not database.is_damaged(exc):
                raise
            moved = database.move_aside(path, "damaged")
            restarted = f"the log file was damaged ({exc}) and moved to {moved.name}"
            conn = _open_sound(path)

        log_ = cls(folder, conn, audit_keys, store, clock,
                   workstation or platform.node() or "unknown", user or os_user())
        if key.warning:
            log_._notify(NoticeCode.KEY_FILE, key.warning)
        log_._reconcile(restarted)
        return log_

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def notices(self) -> list[Notice]:
        with self._lock:
            return list(self._notices)

    # -- recording -----------------------------------------------------------------------

    def record_generation(self, *, case_id: str, template: str, provenance: Mapping[str, Any],
                          inputs: Any, output: Any, his_user: str | None = None) -> AuditEntry:
        """One draft generated: keyed hashes of what went in and what came out.

        `provenance` holds engine, model, server, prompt_id, prompt_version and kb_version
        (a draft's provenance as a dict will do; other keys are ignored).
        """
        fields = self._common("generation", case_id, template, provenance, his_user)
        fields["input_hmac"] = self.text_hmac(inputs)
        fields["output_hmac"] = self.text_hmac(output)
        return self._append(fields)

    def record_copy(self, *, case_id: str, template: str, provenance: Mapping[str, Any],
                    section: str, text: str, his_user: str | None = None) -> AuditEntry:
        """Text copied to the HIS (the whole draft, or one section of it)."""
        fields = self._common("copy", case_id, template, provenance, his_user)
        fields["section"] = _label(section, "section")
        fields["output_hmac"] = self.text_hmac(text)
        return self._append(fields)

    def text_hmac(self, value: Any) -> str:
        """The keyed hash the log keeps of a text or JSON value."""
        canonical = value if isinstance(value, str) else _canonical(value)
        return hmac.new(self._keys.text_key, canonical.encode("utf-8"),
                        hashlib.sha256).hexdigest()

    def _common(self, kind: str, case_id: str, template: str, provenance: Mapping[str, Any],
                his_user: str | None) -> dict[str, Any]:
        if not isinstance(provenance, Mapping):
            raise BadValue("provenance must be a mapping of engine, model, prompt_version...")
        fields: dict[str, Any] = {
            "kind": kind, "case_id": _label(case_id, "case_id"),
            "template": _label(template, "template", allow_empty=True),
            "his_user": None if his_user is None else _label(his_user, "his_user"),
        }
        for key in PROVENANCE_KEYS:
            value = provenance.get(key)
            fields[key] = None if value is None else _label(str(value), key, allow_empty=True)
        if not fields["engine"]:
            raise BadValue("provenance must name the engine (rules, model or rules+model)")
        return fields

    def _append(self, fields: dict[str, Any]) -> AuditEntry:
        """Write the entry (and any kept from an earlier failure); DiskFull keeps it."""
        fields["at"] = _iso(self._clock())
        fields["os_user"] = self.os_user
        fields["workstation"] = self.workstation
        fields["key_id"] = self._keys.key_id
        with self._lock:
            self._unwritten.append(fields)
            written: list[AuditEntry] = []
            try:
                while self._unwritten:
                    written.append(self._write(self._unwritten[0]))
                    self._unwritten.pop(0)
            except sqlite3.Error as exc:
                if database.is_full(exc):
                    raise DiskFull(
                        f"the audit log in {self.folder} cannot be written: the disk is full. "
                        f"{len(self._unwritten)} entry(ies) are kept in memory and written with"
                        " the next one; free space on that disk"
                    ) from None
                raise AuditError(f"the audit log could not be written: {exc}") from exc
            finally:
                if written:
                    self._write_head(written[-1].seq, written[-1].hash)
        return written[-1]

    def _write(self, fields: dict[str, Any]) -> AuditEntry:
        with database.transaction(self._conn):
            last = self._conn.execute(
                "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (1, GENESIS) if last is None else (last[0] + 1, last[1])
            body = {**{key: None for key in BODY_FIELDS}, **fields,
                    "seq": seq, "prev": prev}
            text = _canonical(body)
            digest = hashlib.sha256(text.encode()).hexdigest()
            self._conn.execute("INSERT INTO entries (seq, body, hash, seal) VALUES (?, ?, ?, ?)",
                               (seq, text, digest, self._seal(digest)))
        return AuditEntry(seq, digest, body)

    # -- the head ------------------------------------------------------------------------

    def _seal(self, text: str) -> str:
        return hmac.new(self._keys.seal_key, text.encode(), hashlib.sha256).hexdigest()

    def _write_head(self, count: int, last_hash: str) -> None:
        seal = self._seal(f"head:{count}:{last_hash}")
        head = _Head(count, last_hash, self._keys.key_id, seal, "")
        path = self.folder / HEAD_NAME
        partial = path.with_suffix(".partial")
        try:
            partial.write_text(head.as_json(), "utf-8")
            os.replace(partial, path)
        except OSError as exc:
            # The entry is in the log; the head catches up on the next open or append.
            log.error("audit head could not be written (%s); it is rewritten on next open", exc)
        self._store.set_secret(HEAD_SECRET, head.as_json())

    def _heads(self) -> list[_Head]:
        found = []
        with contextlib.suppress(FileNotFoundError):
            found.append(("file", (self.folder / HEAD_NAME).read_text("utf-8")))
        in_keyring = self._store.get_secret(HEAD_SECRET)
        if in_keyring:
            found.append(("keyring", in_keyring))
        heads = []
        for source, text in found:
            try:
                data = json.loads(text)
                heads.append(_Head(int(data["count"]), str(data["hash"]), str(data["key_id"]),
                                   str(data["seal"]), source))
            except (ValueError, KeyError, TypeError):
                heads.append(_Head(-1, "", "", "", source))
        return heads

    def _head_valid(self, head: _Head) -> bool | None:
        """True or False when the head's seal can be checked with our key, else None."""
        if head.count < 0:
            return False
        if head.key_id != self._keys.key_id:
            return None
        return hmac.compare_digest(head.seal, self._seal(f"head:{head.count}:{head.hash}"))

    def _reconcile(self, restarted: str | None) -> None:
        """After open: note a replaced key or a restarted log; catch a lagging head up."""
        entries = self._count()
        heads = self._heads()
        if restarted is not None:
            self._note_event("restarted", restarted)
        elif self._keys.created and (entries or heads):
            self._note_event("key_replaced", "the audit key was missing from the keyring; "
                             f"a new one seals entries from {entries + 1} on")
        result = self.verify()
        if result.ok and heads and entries > max(head.count for head in heads):
            last = self._last()
            self._write_head(last[0], last[1])
        elif not result.ok and result.recorded_in is None and not self._on_record(result):
            self._note_event("tamper_found", result.reason, result.first_broken)

    def _on_record(self, result: VerifyResult) -> bool:
        """Whether a "tamper_found" entry already reports this break."""
        return any(entry["kind"] == "tamper_found" and entry["note"] == result.reason
                   and entry["broken_entry"] == result.first_broken
                   for entry in self.entries())

    def _note_event(self, kind: str, note: str, broken_entry: int | None = None) -> None:
        self._append({"kind": kind, "note": note, "broken_entry": broken_entry})
        code = {"restarted": NoticeCode.DAMAGED, "key_replaced": NoticeCode.AUDIT_KEY_REPLACED,
                "tamper_found": NoticeCode.AUDIT_TAMPERED}[kind]
        self._notify(code, f"The audit log: {note}. This is recorded in the log itself; "
                     "tell IT if you did not expect it.")

    def _notify(self, code: NoticeCode, message: str) -> None:
        log.warning("audit: %s", message)
        with self._lock:
            self._notices.append(Notice(code, message, self._clock()))

    def _count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def _last(self) -> tuple[int, str]:
        row = self._conn.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1")
        found = row.fetchone()
        return (0, GENESIS) if found is None else (int(found[0]), str(found[1]))

    # -- checking and exporting ----------------------------------------------------------

    def verify(self) -> VerifyResult:
        """Walk the chain and compare its end with the head; name the first broken entry."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, body, hash, seal FROM entries ORDER BY seq").fetchall()
            heads = self._heads()
        return _verify_rows(rows, heads, self)

    def entries(self, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Every entry as exported: its body plus hash and seal, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT body, hash, seal FROM entries ORDER BY seq").fetchall()
        for body, digest, seal in rows:
            entry = json.loads(body)
            if since is not None and datetime.fromisoformat(entry["at"]) < since:
                continue
            yield {**{column: entry.get(column) for column in EXPORT_COLUMNS},
                   "hash": digest, "seal": seal}

    def export(self, out: TextIO, fmt: str = "jsonl", since: datetime | None = None) -> int:
        """Write the entries for the records office as CSV or JSON lines; how many."""
        if fmt not in ("csv", "jsonl"):
            raise BadValue(f"export format {fmt!r} is not csv or jsonl")
        if since is not None and since.tzinfo is None:
            since = since.astimezone()  # a time without zone means this computer's time
        count = 0
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for entry in self.entries(since):
            if writer is not None:
                writer.writerow(entry)
            else:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
            count += 1
        return count


def _verify_rows(rows: list[tuple[int, str, str, str]], heads: list[_Head],
                 audit: AuditLog) -> VerifyResult:
    prev = GENESIS
    unchecked = 0
    findings = []
    for position, (seq, body, digest, seal) in enumerate(rows, start=1):
        broken = _check_entry(position, seq, body, digest, seal, prev, audit)
        if broken is not None:
            return VerifyResult(False, len(rows), position, broken, unchecked)
        parsed = json.loads(body)
        if parsed.get("key_id") != audit._keys.key_id:
            unchecked += 1
        if parsed.get("kind") == "tamper_found":
            findings.append(parsed)
        prev = digest
    result = _check_heads(rows, heads, audit, unchecked)
    if not result.ok or not findings:
        return result
    # The chain is whole now, but it was found broken before: that stays on record.
    first = findings[0]
    return VerifyResult(False, len(rows), first.get("broken_entry"),
                        f"{first.get('note')} (found at {first.get('at')}, recorded as entry "
                        f"{first.get('seq')})", unchecked, result.notes, first.get("seq"))


def _check_entry(position: int, seq: int, body: str, digest: str, seal: str, prev: str,
                 audit: AuditLog) -> str | None:
    """Why the entry at this position breaks the chain, or None."""
    if seq != position:
        return f"entry {position} is missing: the next entry found is {seq} (deleted)"
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError:
        return "its body is not JSON (edited)"
    if not isinstance(parsed, dict) or parsed.get("seq") != seq:
        return f"it holds the body of entry {parsed.get('seq')!r} (moved or reordered)" \
            if isinstance(parsed, dict) else "its body is not an entry (edited)"
    if hashlib.sha256(body.encode()).hexdigest() != digest:
        return "its content no longer matches its hash (edited)"
    if parsed.get("prev") != prev:
        return f"it does not follow entry {position - 1} (reordered, or a neighbour edited)"
    if parsed.get("key_id") == audit._keys.key_id and not hmac.compare_digest(
            seal, audit._seal(digest)):
        return "its seal does not match: it was rewritten without the audit key"
    return None


def _check_heads(rows: list[tuple[int, str, str, str]], heads: list[_Head], audit: AuditLog,
                 unchecked: int) -> VerifyResult:
    count = len(rows)
    if not heads:
        if count == 0:
            return VerifyResult(True, 0)
        return VerifyResult(False, count, None, "the head record is missing from both "
                            "head.json and the keyring, so a cut at the end cannot be ruled out",
                            unchecked)
    notes = []
    for head in heads:
        valid = audit._head_valid(head)
        if valid is False:
            return VerifyResult(False, count, None, f"the head in the {head.source} was "
                                "altered (its seal does not match)", unchecked)
        if valid is None:
            notes.append(f"the head in the {head.source} is sealed with an earlier key")
    longest = max(heads, key=lambda head: head.count)
    if longest.count > count:
        return VerifyResult(False, count, count + 1, f"entries {count + 1} to {longest.count} "
                            f"were cut from the end (the {longest.source} head records "
                            f"{longest.count})", unchecked)
    if longest.count and rows[longest.count - 1][2] != longest.hash:
        return VerifyResult(False, count, longest.count, "it differs from the entry the head "
                            "records (replaced)", unchecked)
    if count > longest.count:
        notes.append(f"{count - longest.count} entry(ies) after the head (written just before "
                     "a crash); their seals are valid")
    return VerifyResult(True, count, None, "", unchecked, tuple(notes))


def _open_sound(path: Path) -> sqlite3.Connection:
    conn = database.connect(path)
    try:
        database.check_sound(conn)
        migrate(conn, AUDIT_MIGRATIONS, "audit")
    except BaseException:
        conn.close()
        raise
    return conn


def _canonical(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise BadValue(f"audit: value is not JSON data ({exc})") from None


def _label(value: object, what: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise BadValue(f"audit: {what} must be text, not {type(value).__name__}")
    if not value and not allow_empty:
        raise BadValue(f"audit: {what} is empty")
    if len(value) > MAX_LABEL_CHARS or "\n" in value or "\x00" in value:
        raise BadValue(f"audit: {what} must be one line under {MAX_LABEL_CHARS} characters "
                       "(it is a label, never patient text)")
    return value


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
