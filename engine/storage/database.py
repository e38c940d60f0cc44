"""SQLite plumbing shared by the journal and the audit log.

Connections run in WAL mode with `synchronous=FULL` (a committed change survives a crash or a
power cut), `secure_delete` (deleted content is overwritten with zeros) and temporary data in
memory (no stray temp files on disk). Errors are sorted into "the disk is full" and "the file is
damaged", which the stores handle, and everything else, which is a bug.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

_FULL_CODES = {sqlite3.SQLITE_FULL}
_DAMAGED_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
SIDE_FILES = ("-wal", "-shm", "-journal")


class Damaged(sqlite3.DatabaseError):
    """SQLite's quick check found the file damaged."""


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), usable from any thread.

    A new file is created private to the user; SQLite gives its WAL the same permissions.
    """
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                           timeout=10.0)
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal":
            log.warning("SQLite refused WAL mode for %s (got %s)", path.name, mode)
        for pragma in ("synchronous=FULL", "secure_delete=ON", "foreign_keys=ON",
                       "temp_store=MEMORY"):
            conn.execute(f"PRAGMA {pragma}")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def check_sound(conn: sqlite3.Connection) -> None:
    """Damaged, naming what SQLite's quick check found, unless the database passes it."""
    rows = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    if rows != ["ok"]:
        found = " ".join(str(row).replace("*** in database main ***", "") for row in rows)
        raise Damaged(" ".join(found.split())[:300])


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_full(exc: BaseException) -> bool:
    """The write failed for want of room: SQLITE_FULL, or ENOSPC from the file system."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return _code(exc) in _FULL_CODES


def is_damaged(exc: BaseException) -> bool:
    """The file is not a (sound) SQLite database."""
    return isinstance(exc, Damaged) or _code(exc) in _DAMAGED_CODES


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may have rolled back already (it does on SQLITE_FULL in some states).
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def move_aside(path: Path, why: str) -> Path:
    """Rename a database and its side files out of the way; the new name tells when and why."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{why}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{why}-{stamp}-{counter}")
    os.replace(path, target)
    for suffix in SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{target}{suffix}"))
    return target


def secure_compact(conn: sqlite3.Connection) -> None:
    """Leave no deleted page in the file or its WAL: checkpoint, vacuum, truncate the WAL.

    `secure_delete` zeroes the cells of deleted rows; the checkpoint moves those zeroed pages
    into the main file, VACUUM rebuilds it without free pages, and the last truncating
    checkpoint empties the WAL, which still held the pages as they were before.
    """
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy:
        log.warning("another reader held the journal: its WAL could not be emptied yet")


def remove_database(path: Path) -> None:
    """Delete a database file and its side files."""
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
