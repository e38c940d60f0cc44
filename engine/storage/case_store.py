"""The case journal's SQLite file: schema, batched writes, loading, purging and salvage.

Only sealed bytes reach the file: values, attachment names and data and audio are sealed with
the journal key (the context binds each to its case and field). Case ids, times, status and the
template name stay plain, so retention can run without the key.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from engine.storage import database
from engine.storage.crypto import SEAL_OVERHEAD, Sealer
from engine.storage.errors import Unreadable
from engine.storage.migrations import Migration, migrate

log = logging.getLogger(__name__)

DB_NAME = "journal.db"
Connector = Callable[[Path], sqlite3.Connection]

JOURNAL_MIGRATIONS = (
    Migration("0001-cases", (
        "CREATE TABLE cases (case_id TEXT PRIMARY KEY, created_at REAL NOT NULL,"
        " updated_at REAL NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'closed')),"
        " template TEXT NOT NULL DEFAULT '', key_id TEXT NOT NULL)",
        "CREATE INDEX cases_by_update ON cases (updated_at)",
        "CREATE TABLE case_values (case_id TEXT NOT NULL"
        " REFERENCES cases (case_id) ON DELETE CASCADE, field TEXT NOT NULL,"
        " sealed BLOB NOT NULL, changed_at REAL NOT NULL, PRIMARY KEY (case_id, field))",
    )),
    Migration("0002-attachments", (
        "CREATE TABLE attachments (attachment_id TEXT PRIMARY KEY, case_id TEXT NOT NULL"
        " REFERENCES cases (case_id) ON DELETE CASCADE, kind TEXT NOT NULL,"
        " sealed_name BLOB NOT NULL, sealed_data BLOB NOT NULL, size INTEGER NOT NULL,"
        " added_at REAL NOT NULL)",
        "CREATE INDEX attachments_by_case ON attachments (case_id)",
    )),
    Migration("0003-audio", (
        "CREATE TABLE audio_chunks (case_id TEXT NOT NULL"
        " REFERENCES cases (case_id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
        " sealed BLOB NOT NULL, PRIMARY KEY (case_id, seq))",
    )),
    Migration("0004-meta", (
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )),
)

_TABLES = ("cases", "case_values", "attachments", "audio_chunks")
_PAGE = 4096  # SQLite's default page size, which the journal never changes


@dataclass
class CaseRow:
    case_id: str
    created_at: float
    updated_at: float
    status: str
    template: str


@dataclass
class PendingAttachment:
    attachment_id: str
    case_id: str
    kind: str
    name: str
    data: bytes
    added_at: float


@dataclass
class Batch:
    """Changes not yet in the file. Later changes to a value replace earlier ones."""

    cases: dict[str, CaseRow] = field(default_factory=dict)
    values: dict[tuple[str, str], bytes] = field(default_factory=dict)
    attachments: list[PendingAttachment] = field(default_factory=list)
    audio_resets: set[str] = field(default_factory=set)
    audio: dict[str, list[bytes]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.cases or self.values or self.attachments or self.audio_resets
                    or self.audio)

    def change_count(self) -> int:
        return (len(self.values) + len(self.attachments) + len(self.audio_resets)
                + sum(len(chunks) for chunks in self.audio.values())
                + sum(1 for case_id in self.cases if not self._has_content(case_id)))

    def _has_content(self, case_id: str) -> bool:
        return any(key[0] == case_id for key in self.values)

    def under(self, newer: Batch) -> Batch:
        """This (older, unwritten) batch with a newer one on top: newer values win."""
        merged = Batch(
            cases={**self.cases, **newer.cases},
            values={**self.values, **newer.values},
            attachments=[*self.attachments, *newer.attachments],
            audio_resets=self.audio_resets | newer.audio_resets,
        )
        for case_id in {*self.audio, *newer.audio}:
            older = [] if case_id in newer.audio_resets else self.audio.get(case_id, [])
            merged.audio[case_id] = [*older, *newer.audio.get(case_id, [])]
        return merged

    def drop_case(self, case_id: str) -> None:
        self.cases.pop(case_id, None)
        self.values = {key: value for key, value in self.values.items() if key[0] != case_id}
        self.attachments = [item for item in self.attachments if item.case_id != case_id]
        self.audio_resets.discard(case_id)
        self.audio.pop(case_id, None)


@dataclass
class StoredAttachment:
    attachment_id: str
    name: str
    kind: str
    size: int
    added_at: float


@dataclass
class StoredCase:
    row: CaseRow
    values: dict[str, bytes]
    attachments: list[StoredAttachment]
    audio_bytes: int
    damaged_values: int = 0


def value_context(case_id: str, field_name: str) -> str:
    return f"{case_id}/value/{field_name}"


def attachment_context(case_id: str, attachment_id: str, part: str) -> str:
    return f"{case_id}/attachment/{attachment_id}/{part}"


def audio_context(case_id: str, seq: int) -> str:
    return f"{case_id}/audio/{seq}"


class CaseStore:
    """One open journal file. Not thread-safe: the journal serialises every call."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @classmethod
    def open_sound(cls, path: Path, connect: Connector = database.connect) -> CaseStore:
        """Open (or create) the file; sqlite3.DatabaseError or Damaged when it is not sound."""
        conn = connect(path)
        try:
            database.check_sound(conn)
            migrate(conn, JOURNAL_MIGRATIONS, "journal")
        except BaseException:
            conn.close()
            raise
        return cls(path, conn)

    def close(self) -> None:
        self.conn.close()

    def write(self, batch: Batch, sealer: Sealer) -> None:
        """Write a batch in one transaction: all of it or none of it."""
        with database.transaction(self.conn) as conn:
            for row in batch.cases.values():
                conn.execute(
                    "INSERT INTO cases (case_id, created_at, updated_at, status, template,"
                    " key_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET"
                    " updated_at = excluded.updated_at, status = excluded.status,"
                    " template = excluded.template",
                    (row.case_id, row.created_at, row.updated_at, row.status, row.template,
                     sealer.key_id),
                )
            for (case_id, field_name), plaintext in batch.values.items():
                sealed = sealer.seal(plaintext, value_context(case_id, field_name))
                conn.execute(
                    "INSERT INTO case_values (case_id, field, sealed, changed_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (case_id, field) DO UPDATE SET"
                    " sealed = excluded.sealed, changed_at = excluded.changed_at",
                    (case_id, field_name, sealed, batch.cases[case_id].updated_at
                     if case_id in batch.cases else 0.0),
                )
            for item in batch.attachments:
                self._write_attachment(item, sealer)
            for case_id in batch.audio_resets:
                conn.execute("DELETE FROM audio_chunks WHERE case_id = ?", (case_id,))
            for case_id, chunks in batch.audio.items():
                if chunks:
                    self._append_audio(case_id, b"".join(chunks), sealer)

    def _write_attachment(self, item: PendingAttachment, sealer: Sealer) -> None:
        self.conn.execute(
            "INSERT INTO attachments (attachment_id, case_id, kind, sealed_name, sealed_data,"
            " size, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item.attachment_id, item.case_id, item.kind,
             sealer.seal(item.name.encode(),
                         attachment_context(item.case_id, item.attachment_id, "name")),
             sealer.seal(item.data,
                         attachment_context(item.case_id, item.attachment_id, "data")),
             len(item.data), item.added_at),
        )

    def _append_audio(self, case_id: str, audio: bytes, sealer: Sealer) -> None:
        seq = self.conn.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM audio_chunks WHERE case_id = ?", (case_id,)
        ).fetchone()[0]
        self.conn.execute(
            "INSERT INTO audio_chunks (case_id, seq, sealed) VALUES (?, ?, ?)",
            (case_id, seq, sealer.seal(audio, audio_context(case_id, seq))),
        )

    def key_ids(self) -> dict[str, int]:
        """How many cases each key sealed."""
        rows = self.conn.execute("SELECT key_id, COUNT(*) FROM cases GROUP BY key_id")
        return {key: count for key, count in rows}

    def meta(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        with database.transaction(self.conn):
            self.conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
                              (name, value))

    def load(self, sealer: Sealer) -> tuple[list[StoredCase], list[str]]:
        """Cases this key opens (values still JSON bytes), and the ids of the others."""
        readable: list[StoredCase] = []
        unreadable: list[str] = []
        rows = self.conn.execute(
            "SELECT case_id, created_at, updated_at, status, template, key_id FROM cases"
            " ORDER BY created_at"
        ).fetchall()
        for case_id, created, updated, status, template, key in rows:
            if key != sealer.key_id:
                unreadable.append(case_id)
                continue
            row = CaseRow(case_id, created, updated, status, template)
            readable.append(self._load_case(row, sealer))
        return readable, unreadable

    def _load_case(self, row: CaseRow, sealer: Sealer) -> StoredCase:
        case = StoredCase(row, {}, [], 0)
        for field_name, sealed in self.conn.execute(
            "SELECT field, sealed FROM case_values WHERE case_id = ?", (row.case_id,)
        ):
            try:
                case.values[field_name] = sealer.open(sealed, value_context(row.case_id,
                                                                            field_name))
            except Unreadable:
                case.damaged_values += 1
                log.warning("case %s: field %s does not decrypt (changed on disk?); skipped",
                            row.case_id, field_name)
        for attachment_id, kind, sealed_name, size, added in self.conn.execute(
            "SELECT attachment_id, kind, sealed_name, size, added_at FROM attachments"
            " WHERE case_id = ? ORDER BY added_at", (row.case_id,)
        ):
            context = attachment_context(row.case_id, attachment_id, "name")
            try:
                name = sealer.open(sealed_name, context).decode()
            except Unreadable:
                case.damaged_values += 1
                continue
            case.attachments.append(StoredAttachment(attachment_id, name, kind, size, added))
        case.audio_bytes = self.conn.execute(
            "SELECT COALESCE(SUM(LENGTH(sealed) - ?), 0) FROM audio_chunks WHERE case_id = ?",
            (SEAL_OVERHEAD, row.case_id),
        ).fetchone()[0]
        return case

    def attachment_data(self, case_id: str, attachment_id: str, sealer: Sealer) -> bytes | None:
        row = self.conn.execute(
            "SELECT sealed_data FROM attachments WHERE attachment_id = ? AND case_id = ?",
            (attachment_id, case_id),
        ).fetchone()
        if row is None:
            return None
        return sealer.open(row[0], attachment_context(case_id, attachment_id, "data"))

    def audio(self, case_id: str, sealer: Sealer) -> bytes:
        rows = self.conn.execute(
            "SELECT seq, sealed FROM audio_chunks WHERE case_id = ? ORDER BY seq", (case_id,)
        )
        return b"".join(sealer.open(sealed, audio_context(case_id, seq)) for seq, sealed in rows)

    def expired(self, cutoff: float) -> list[str]:
        rows = self.conn.execute("SELECT case_id FROM cases WHERE updated_at <= ?", (cutoff,))
        return [row[0] for row in rows]

    def delete_cases(self, case_ids: list[str]) -> None:
        """Delete cases with everything they own, then leave no trace of them in the file."""
        with database.transaction(self.conn) as conn:
            for case_id in case_ids:
                conn.execute("DELETE FROM cases WHERE case_id = ?", (case_id,))
        database.secure_compact(self.conn)

    def salvage_from(self, damaged: Path, key_id: str) -> int:
        """Copy what can still be read from a damaged journal; the number of cases saved.

        Values whose case row was lost get a new case row (open, sealed with `key_id`, last
        changed when the damaged file was), so their text still comes back. A file whose
        header was overwritten is read through a copy with a fresh header.
        """
        try:
            last_change = damaged.stat().st_mtime
        except OSError:
            return 0
        repaired = None
        if not _readable(damaged):
            repaired = _with_fresh_header(damaged)
        try:
            source = sqlite3.connect(f"file:{repaired or damaged}?mode=ro", uri=True)
        except sqlite3.Error:
            return 0
        try:
            with database.transaction(self.conn):
                for table in _TABLES:
                    self._copy_rows(source, table, key_id, last_change)
            return int(self.conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0])
        finally:
            source.close()
            if repaired is not None:
                database.remove_database(repaired)

    def _copy_rows(self, source: sqlite3.Connection, table: str, key_id: str,
                   last_change: float) -> None:
        columns = [row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")]
        listed = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        insert = f"INSERT OR IGNORE INTO {table} ({listed}) VALUES ({marks})"
        for row in _readable_rows(source, table, listed):
            try:
                self.conn.execute(insert, row)
            except sqlite3.IntegrityError:
                if table == "cases":
                    continue
                case_id = row[columns.index("case_id")]
                self.conn.execute(
                    "INSERT OR IGNORE INTO cases (case_id, created_at, updated_at, status,"
                    " template, key_id) VALUES (?, ?, ?, 'open', '', ?)",
                    (case_id, last_change, last_change, key_id))
                with contextlib.suppress(sqlite3.IntegrityError):
                    self.conn.execute(insert, row)


def _readable(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return True
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def _with_fresh_header(damaged: Path) -> Path | None:
    """A copy of the file under the 100-byte header of a new, empty database.

    The journal always has 4096-byte pages and no auto-vacuum, so a new header fits once told
    to take the size from the file (0 at offset 28), to forget the free list (offsets 32-39)
    and to read without a WAL (bytes 18-19 = 1).
    """
    data = damaged.read_bytes()
    if len(data) < 2 * _PAGE or len(data) % _PAGE:
        return None
    template = damaged.with_name(damaged.name + ".template")
    conn = sqlite3.connect(template)
    try:
        conn.execute(f"PRAGMA page_size = {_PAGE}")
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    finally:
        conn.close()
    header = bytearray(template.read_bytes()[:100])
    database.remove_database(template)
    header[18:20] = b"\x01\x01"
    header[28:32] = bytes(4)
    header[32:40] = bytes(8)
    repaired = damaged.with_name(damaged.name + ".repair")
    repaired.write_bytes(bytes(header) + data[100:])
    return repaired


def _readable_rows(source: sqlite3.Connection, table: str, listed: str
                   ) -> Iterator[tuple[object, ...]]:
    """The rows SQLite can still read, stepping past damaged pages by rowid."""
    try:
        top = source.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        log.warning("salvage: %s unreadable: %s", table, exc)
        return
    last, skipped = 0, 0
    query = f"SELECT rowid, {listed} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 1"
    while top is not None and last < top:
        try:
            row = source.execute(query, (last,)).fetchone()
        except sqlite3.DatabaseError:
            last += 1  # this rowid's page is damaged: probe the next one
            skipped += 1
            continue
        if row is None:
            break
        last = row[0]
        yield tuple(row[1:])
    if skipped:
        log.warning("salvage: stepped over %d unreadable row id(s) of %s", skipped, table)
