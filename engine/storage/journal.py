"""The case journal: every change to a case kept in memory at once, sealed to disk within a second.

Callers change a case from any thread; each call updates the in-memory case and returns at once.
A writer thread gathers changes for `DEBOUNCE_S` and writes them in one transaction, so a call on
every keystroke costs a dictionary update, never a disk write. What cannot be written (a full
disk) stays in memory and is retried; the user is told through a notice.

On open the journal purges cases past their retention time, then loads the others: open cases
come back as they were after a crash. A damaged file is moved aside, what can be read from it is
copied into a fresh one, and the user is told. A lost key leaves the old cases unreadable (they
are listed, then purged on time) while new cases are saved under a new key.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeAlias

from engine.home import sentinel_home
from engine.storage import database
from engine.storage.case_store import (
    DB_NAME,
    Batch,
    CaseRow,
    CaseStore,
    Connector,
    PendingAttachment,
    StoredCase,
)
from engine.storage.crypto import Sealer
from engine.storage.errors import BadValue, DiskFull, StorageError, UnknownCase
from engine.storage.keys import KeyStore
from engine.storage.notices import Notice, NoticeCode

log = logging.getLogger(__name__)

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
NoticeListener = Callable[[Notice], None]

FOLDER = "journal"
DEBOUNCE_S = 0.2  # gathers a burst of keystrokes into one write; well inside the 1 s promise
RETRY_S = 2.0
PURGE_EVERY_S = 300.0
DRAFT_FIELD = "draft"
ATTACHMENT_KINDS = ("picture", "file")
MAX_VALUE_BYTES = 2_000_000
MAX_ATTACHMENT_BYTES = 50_000_000
MAX_AUDIO_CHUNK_BYTES = 4_000_000
MAX_NAME_CHARS = 200
_FIELD = re.compile(r"[a-z][a-z0-9_]{0,39}(\.[a-z0-9_]{1,40}){0,3}")


@dataclass(frozen=True)
class AttachmentInfo:
    attachment_id: str
    name: str
    kind: str
    size: int
    added_at: float


@dataclass(frozen=True)
class CaseState:
    """A snapshot of one case: its inputs (typed text, dictation, fields...) and its draft."""

    case_id: str
    template: str
    status: str
    created_at: float
    updated_at: float
    values: Mapping[str, JsonValue]
    attachments: tuple[AttachmentInfo, ...]
    audio_bytes: int

    @property
    def draft(self) -> dict[str, Any] | None:
        draft = self.values.get(DRAFT_FIELD)
        return draft if isinstance(draft, dict) else None


@dataclass(frozen=True)
class PurgeReport:
    cases: int
    damaged_files: int


@dataclass
class _Case:
    row: CaseRow
    values: dict[str, JsonValue]
    attachments: dict[str, AttachmentInfo]
    audio_bytes: int

    def snapshot(self) -> CaseState:
        return CaseState(
            case_id=self.row.case_id, template=self.row.template, status=self.row.status,
            created_at=self.row.created_at, updated_at=self.row.updated_at,
            values=MappingProxyType(json.loads(json.dumps(self.values, ensure_ascii=False))),
            attachments=tuple(self.attachments.values()), audio_bytes=self.audio_bytes,
        )


class CaseJournal:
    """The journal of one data folder. Thread-safe; create it with `CaseJournal.open`."""

    def __init__(self, *, folder: Path, store: CaseStore, sealer: Sealer,
                 retention_s: float, clock: Callable[[], float],
                 on_notice: NoticeListener | None, connect: Connector,
                 purge_every_s: float | None) -> None:
        self.folder = folder
        self.retention_s = retention_s
        self._store = store
        self._sealer = sealer
        self._clock = clock
        self._on_notice = on_notice
        self._connect = connect
        self._purge_every_s = purge_every_s

        self._lock = threading.Lock()  # memory: cases, pending, notices
        self._db_lock = threading.RLock()  # the file; taken before `_lock`, never after
        self._cases: dict[str, _Case] = {}
        self._unreadable: list[str] = []
        self._pending = Batch()
        # The batch the writer is saving right now: unsaved until its transaction commits.
        self._writing = Batch()
        self._notices: list[Notice] = []
        self._problem: DiskFull | None = None
        self._closed = False

        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._writer = threading.Thread(target=self._write_loop, name="case-journal",
                                        daemon=True)

    # -- opening and closing -------------------------------------------------------------

    @classmethod
    def open(cls, home: Path | None = None, *, retention_hours: float | None = None,
             clock: Callable[[], float] = time.time, on_notice: NoticeListener | None = None,
             keys: KeyStore | None = None, connect: Connector = database.connect,
             purge_every_s: float | None = PURGE_EVERY_S) -> CaseJournal:
        """Open the journal of a data folder (default: `sentinel_home()`).

        `retention_hours` defaults to the `retention_hours` setting; `clock` gives the time
        (seconds since the epoch); `on_notice` is called, from whichever thread noticed, for
        each thing the user must be told (also kept in `notices()`).
        """
        home = sentinel_home() if home is None else home
        folder = home / FOLDER
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if retention_hours is None:
            from engine.settings import Settings

            retention_hours = float(Settings.load(home).get("retention_hours"))
        if not retention_hours > 0:
            raise BadValue(f"retention_hours must be above 0, not {retention_hours}")

        early: list[tuple[NoticeCode, str]] = []
        key = (KeyStore(home) if keys is None else keys).get_or_create("journal")
        if key.warning:
            early.append((NoticeCode.KEY_FILE, key.warning))
        store, damage = _open_store(folder / DB_NAME, connect, key.key_id)
        if damage:
            early.append((NoticeCode.DAMAGED, damage))
        lost = _check_key(store, key.key_id)
        if lost:
            early.append((NoticeCode.KEY_LOST, lost))

        journal = cls(folder=folder, store=store, sealer=Sealer(key.key), clock=clock,
                      retention_s=retention_hours * 3600, on_notice=on_notice,
                      connect=connect, purge_every_s=purge_every_s)
        for code, message in early:
            journal._notify(code, message)
        journal.purge_expired()
        journal._load()
        journal._writer.start()
        atexit.register(journal.close)
        return journal

    def __enter__(self) -> CaseJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Write what is pending and close. DiskFull when that last write fails."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        self._stopping.set()
        self._wake.set()
        if self._writer.is_alive() and self._writer is not threading.current_thread():
            self._writer.join()
        try:
            with self._db_lock:
                self._write_pending()
        except DiskFull:
            log.error("closing with %d unsaved journal changes: the disk is full",
                      self.unsaved_changes())
            raise
        finally:
            with self._db_lock:
                self._store.close()

    # -- changing a case -----------------------------------------------------------------

    def new_case(self, template: str = "") -> str:
        """Start a case; its id (random, no patient data in it)."""
        _check_name(template, "template", allow_empty=True)
        now = self._clock()
        case_id = uuid.uuid4().hex
        row = CaseRow(case_id, now, now, "open", template)
        with self._lock:
            self._check_open()
            self._cases[case_id] = _Case(row, {}, {}, 0)
            self._pending.cases[case_id] = replace(row)
        self._wake.set()
        return case_id

    def record(self, case_id: str, field: str, value: JsonValue) -> None:
        """Set one input of a case (call on every keystroke: the latest value wins).

        `field` is a lower-case name such as "typed_text", "dictation" or "fields.duration";
        `value` is anything JSON can hold. Saved within a second by the writer thread.
        """
        if not isinstance(field, str) or not _FIELD.fullmatch(field):
            raise BadValue(f"field name {field!r} is not valid: use lower-case letters, digits"
                           " and '_', with '.' between parts, like 'fields.duration'")
        if field == DRAFT_FIELD:
            raise BadValue("the draft is saved with save_draft(), not record()")
        self._set(case_id, field, value)

    def save_draft(self, case_id: str, draft: Mapping[str, Any] | str) -> None:
        """Keep the case's current draft: a JSON object, or its JSON text."""
        if isinstance(draft, str):
            try:
                draft = json.loads(draft, strict=False)
            except json.JSONDecodeError as exc:
                raise BadValue(f"the draft is not JSON: {exc.msg} at {exc.pos}") from None
        if not isinstance(draft, Mapping):
            raise BadValue(f"the draft must be a JSON object, not {type(draft).__name__}")
        self._set(case_id, DRAFT_FIELD, dict(draft))

    def attach(self, case_id: str, name: str, data: bytes, kind: str = "picture") -> str:
        """Add a picture or file to a case; the attachment's id."""
        _check_name(name, "attachment name")
        if kind not in ATTACHMENT_KINDS:
            raise BadValue(f"attachment kind {kind!r} is not one of {ATTACHMENT_KINDS}")
        data = _as_bytes(data, "attachment", MAX_ATTACHMENT_BYTES)
        attachment_id = uuid.uuid4().hex
        with self._lock:
            case = self._touch(case_id)
            info = AttachmentInfo(attachment_id, name, kind, len(data), case.row.updated_at)
            case.attachments[attachment_id] = info
            self._pending.attachments.append(PendingAttachment(
                attachment_id, case_id, kind, name, data, info.added_at))
        self._wake.set()
        return attachment_id

    def append_audio(self, case_id: str, chunk: bytes) -> None:
        """Keep dictation audio while it is recognised (temporary: see `discard_audio`)."""
        chunk = _as_bytes(chunk, "audio chunk", MAX_AUDIO_CHUNK_BYTES)
        with self._lock:
            case = self._touch(case_id)
            case.audio_bytes += len(chunk)
            self._pending.audio.setdefault(case_id, []).append(chunk)
        self._wake.set()

    def discard_audio(self, case_id: str) -> None:
        """Drop a case's audio (once its final dictation is recorded)."""
        with self._lock:
            case = self._touch(case_id)
            case.audio_bytes = 0
            self._pending.audio.pop(case_id, None)
            self._pending.audio_resets.add(case_id)
        self._wake.set()

    def close_case(self, case_id: str) -> None:
        """The doctor is done with the case: it no longer comes back on start (kept until
        its retention time ends)."""
        with self._lock:
            case = self._touch(case_id)
            case.row.status = "closed"
            self._pending.cases[case_id] = replace(case.row)
        self._wake.set()

    # -- reading -------------------------------------------------------------------------

    def case(self, case_id: str) -> CaseState:
        with self._lock:
            return self._case(case_id).snapshot()

    def open_cases(self) -> list[CaseState]:
        """Cases not closed, oldest first: after a crash, what the doctor was working on."""
        with self._lock:
            found = [case for case in self._cases.values() if case.row.status == "open"]
            return [case.snapshot() for case in sorted(found, key=lambda c: c.row.created_at)]

    def unreadable_cases(self) -> list[str]:
        """Ids of stored cases sealed with a key this computer no longer has."""
        with self._lock:
            return list(self._unreadable)

    def attachment(self, case_id: str, attachment_id: str) -> bytes:
        with self._db_lock, self._lock:
            if attachment_id not in self._case(case_id).attachments:
                raise UnknownCase(f"case {case_id} has no attachment {attachment_id}")
            for item in self._pending.attachments:
                if item.attachment_id == attachment_id:
                    return item.data
            found = self._store.attachment_data(case_id, attachment_id, self._sealer)
        if found is None:
            raise StorageError(f"attachment {attachment_id} is missing from the journal")
        return found

    def audio(self, case_id: str) -> bytes:
        """The case's audio so far (what was saved, then what is waiting to be)."""
        with self._db_lock, self._lock:
            self._case(case_id)
            reset = case_id in self._pending.audio_resets
            waiting = b"".join(self._pending.audio.get(case_id, []))
            saved = b"" if reset else self._store.audio(case_id, self._sealer)
        return saved + waiting

    def notices(self) -> list[Notice]:
        with self._lock:
            return list(self._notices)

    @property
    def problem(self) -> DiskFull | None:
        """Why changes are waiting in memory instead of on disk, or None."""
        return self._problem

    def unsaved_changes(self) -> int:
        with self._lock:
            return self._pending.change_count() + self._writing.change_count()

    # -- saving and purging --------------------------------------------------------------

    def flush(self) -> None:
        """Write what is pending now; DiskFull (all kept in memory) when there is no room."""
        with self._db_lock:
            self._write_pending()

    def purge_expired(self, now: float | None = None) -> PurgeReport:
        """Delete cases unchanged for the retention time, with their attachments and audio,
        leaving no trace of them in the file; also old damaged journals moved aside."""
        now = self._clock() if now is None else now
        cutoff = now - self.retention_s
        with self._db_lock:
            with contextlib.suppress(DiskFull):  # purging is how room comes back
                self._write_pending()
            stored = set(self._store.expired(cutoff))
            with self._lock:
                remembered = {case_id for case_id, case in self._cases.items()
                              if case.row.updated_at <= cutoff}
                gone = sorted((stored - self._cases.keys()) | remembered)
                for case_id in gone:
                    self._cases.pop(case_id, None)
                    self._pending.drop_case(case_id)
                self._unreadable = [case_id for case_id in self._unreadable
                                    if case_id not in gone]
            if gone:
                self._delete(gone)
            files = _purge_moved_aside(self.folder, cutoff)
        if gone or files:
            log.info("purged %d expired case(s) and %d damaged journal file(s)", len(gone),
                     files)
        return PurgeReport(len(gone), files)

    def _delete(self, case_ids: list[str]) -> None:
        try:
            self._store.delete_cases(case_ids)
        except sqlite3.Error as exc:
            if not database.is_full(exc):
                raise
            # The rows are gone and zeroed; only the vacuum needs room. Done next time.
            log.warning("purged cases, but the journal could not be compacted: disk full")

    # -- inside --------------------------------------------------------------------------

    def _set(self, case_id: str, field: str, value: JsonValue) -> None:
        encoded = _encode(value, field)
        kept = value if isinstance(value, str | int | float | bool) or value is None \
            else json.loads(encoded)  # a copy: the caller may go on changing its dict
        with self._lock:
            case = self._touch(case_id)
            case.values[field] = kept
            self._pending.values[(case_id, field)] = encoded
        self._wake.set()

    def _touch(self, case_id: str) -> _Case:
        """The case, marked changed now (call with `_lock` held)."""
        self._check_open()
        case = self._case(case_id)
        case.row.updated_at = max(self._clock(), case.row.updated_at)
        self._pending.cases[case_id] = replace(case.row)
        return case

    def _case(self, case_id: str) -> _Case:
        try:
            return self._cases[case_id]
        except KeyError:
            why = "sealed with a lost key" if case_id in self._unreadable else \
                "never created, or purged after its retention time"
            raise UnknownCase(f"no case {case_id!r} in the journal ({why})") from None

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the case journal is closed; open it again to make changes")

    def _write_pending(self, *, after_damage: bool = False) -> None:
        """Write the pending batch (hold `_db_lock`). On failure it stays pending."""
        with self._lock:
            batch, self._pending = self._pending, Batch()
            self._writing = batch
        if batch.is_empty():
            return
        try:
            self._store.write(batch, self._sealer)
        except (sqlite3.Error, OSError) as exc:
            with self._lock:
                self._pending, self._writing = batch.under(self._pending), Batch()
            if database.is_full(exc):
                raise self._disk_full() from None
            if database.is_damaged(exc) and not after_damage:
                self._replace_damaged(str(exc))
                self._write_pending(after_damage=True)
                return
            raise StorageError(f"the case journal could not save ({exc}); what you typed "
                               "is kept in memory and saving is retried") from exc
        except BaseException:
            with self._lock:
                self._pending, self._writing = batch.under(self._pending), Batch()
            raise
        with self._lock:
            self._writing = Batch()
        if self._problem is not None:
            self._problem = None
            self._notify(NoticeCode.SAVING_AGAIN, "The case journal is saving again; nothing "
                         "that was typed while the disk was full was lost.")

    def _disk_full(self) -> DiskFull:
        unsaved = self.unsaved_changes()
        problem = DiskFull(
            f"The disk holding {self.folder} is full, so cases cannot be saved. What you "
            f"typed is kept in memory ({unsaved} unsaved change(s)): keep ED Sentinel open, "
            "free space on that disk (or call IT), and saving resumes by itself."
        )
        if self._problem is None:
            self._notify(NoticeCode.DISK_FULL, str(problem))
        self._problem = problem
        return problem

    def _replace_damaged(self, reason: str) -> None:
        """The file went bad while open: start a fresh one holding everything in memory."""
        path = self._store.path
        with contextlib.suppress(sqlite3.Error):
            self._store.close()
        self._store, message = _fresh_store(path, self._connect, reason, self._sealer.key_id)
        with self._lock:
            everything = Batch()
            for case_id, case in self._cases.items():
                everything.cases[case_id] = replace(case.row)
                for field, value in case.values.items():
                    everything.values[(case_id, field)] = _encode(value, field)
            self._pending = everything.under(self._pending)
        self._notify(NoticeCode.DAMAGED, message)

    def _load(self) -> None:
        with self._db_lock:
            stored, unreadable = self._store.load(self._sealer)
        with self._lock:
            self._unreadable = unreadable
            for found in stored:
                self._cases[found.row.case_id] = _case_from(found)
        damaged = sum(found.damaged_values for found in stored)
        if damaged:
            self._notify(NoticeCode.DAMAGED, (
                f"{damaged} saved value(s) in the case journal were changed on disk and cannot "
                "be read; the rest of each case is there. Check your open cases."))

    def _notify(self, code: NoticeCode, message: str) -> None:
        notice = Notice(code, message, self._clock())
        with self._lock:
            self._notices.append(notice)
        log.warning("journal: %s", message)
        if self._on_notice is not None:
            try:
                self._on_notice(notice)
            except Exception:  # a listener's bug must not stop saving
                log.exception("the journal's notice listener failed")

    def _write_loop(self) -> None:
        next_purge = time.monotonic() + (self._purge_every_s or 0)
        while not self._stopping.is_set():
            timeout = RETRY_S if self._problem is not None else 60.0
            if self._wake.wait(timeout) and not self._stopping.is_set():
                self._stopping.wait(DEBOUNCE_S)
            self._wake.clear()
            try:
                self.flush()
                if self._purge_every_s and time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + self._purge_every_s
                    self.purge_expired()
            except DiskFull:
                continue  # kept in memory; the user was told; retried in RETRY_S
            except Exception:  # the writer must outlive one failed write
                log.exception("the journal's writer failed; retrying")
                self._stopping.wait(RETRY_S)


def _open_store(path: Path, connect: Connector, key_id: str) -> tuple[CaseStore, str | None]:
    """The journal file, or a fresh one (and what to tell the user) if it was damaged."""
    try:
        return CaseStore.open_sound(path, connect), None
    except sqlite3.DatabaseError as exc:
        if not database.is_damaged(exc):
            if database.is_full(exc):
                raise DiskFull(f"the disk holding {path.parent} is full: the case journal "
                               "cannot start; free space there and start again") from None
            raise
        return _fresh_store(path, connect, str(exc), key_id)


def _fresh_store(path: Path, connect: Connector, reason: str,
                 key_id: str) -> tuple[CaseStore, str]:
    moved = database.move_aside(path, "damaged")
    log.error("the case journal %s is damaged (%s); moved to %s", path, reason, moved.name)
    store = CaseStore.open_sound(path, connect)
    saved = store.salvage_from(moved, key_id)
    message = (
        f"The case journal was damaged ({reason}). It was moved aside to {moved} and a fresh "
        f"one was started; {saved} case(s) could be copied from it. Check your open cases; "
        "IT can examine the moved file, which is deleted after the retention time."
    )
    return store, message


def _check_key(store: CaseStore, current: str) -> str | None:
    """What to tell the user when the key changed since the last start (told once)."""
    others = sum(count for key, count in store.key_ids().items() if key != current)
    previous = store.meta("key_id")
    if previous != current:
        store.set_meta("key_id", current)
    if previous == current or (previous is None and not others):
        return None
    return (
        "The key that protects saved cases is missing from this computer's keyring (was the "
        f"Windows profile or keyring reset?). {others} saved case(s) from before cannot be "
        "opened and will be deleted after the retention time. New work is saved normally."
    )


def _case_from(found: StoredCase) -> _Case:
    values: dict[str, JsonValue] = {}
    for field, encoded in found.values.items():
        values[field] = json.loads(encoded)
    attachments = {item.attachment_id: AttachmentInfo(item.attachment_id, item.name, item.kind,
                                                      item.size, item.added_at)
                   for item in found.attachments}
    return _Case(found.row, values, attachments, found.audio_bytes)


def _purge_moved_aside(folder: Path, cutoff: float) -> int:
    """Delete damaged journals moved aside, once as old as the retention time."""
    removed = 0
    for path in folder.glob(f"{DB_NAME}.damaged-*"):
        if path.stat().st_mtime <= cutoff:
            _overwrite_and_unlink(path)
            removed += 1
    return removed


def _overwrite_and_unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        size = path.stat().st_size
        with open(path, "r+b") as out:
            remaining = size
            while remaining > 0:
                step = min(remaining, 1 << 20)
                out.write(b"\0" * step)
                remaining -= step
            out.flush()
        path.unlink()


def _encode(value: JsonValue, field: str) -> bytes:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadValue(f"field {field}: text holds characters that are not valid Unicode"
                       " (lone surrogates)") from None
    except (TypeError, ValueError) as exc:
        raise BadValue(f"field {field}: value is not JSON data ({exc})") from None
    if len(encoded) > MAX_VALUE_BYTES:
        raise BadValue(f"field {field}: {len(encoded)} bytes is more than {MAX_VALUE_BYTES};"
                       " attach large content with attach()")
    return encoded


def _as_bytes(data: object, what: str, limit: int) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise BadValue(f"{what} must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise BadValue(f"{what} is empty")
    if len(data) > limit:
        raise BadValue(f"{what} has {len(data)} bytes, more than {limit}")
    return data


def _check_name(name: object, what: str, *, allow_empty: bool = False) -> None:
    if not isinstance(name, str):
        raise BadValue(f"{what} must be text, not {type(name).__name__}")
    if not name.strip() and not allow_empty:
        raise BadValue(f"{what} is empty")
    if len(name) > MAX_NAME_CHARS or "\x00" in name:
        raise BadValue(f"{what} must be under {MAX_NAME_CHARS} characters, without NUL")
