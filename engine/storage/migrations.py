"""Schema changes as small, named, ordered steps, each recorded once applied.

A store lists its migrations in order. Opening a database applies those not yet recorded in its
`_migrations` table, each in its own transaction. A database that records a step this version
does not know was written by a newer version and is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass

from engine.storage.database import transaction
from engine.storage.errors import NewerSchema


@dataclass(frozen=True)
class Migration:
    """One named step: the SQL statements that make it."""

    name: str
    statements: tuple[str, ...]


_LEDGER = (
    "CREATE TABLE IF NOT EXISTS _migrations ("
    " name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
)


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the steps applied to this database, in the order they were applied."""
    conn.execute(_LEDGER)
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection, steps: Sequence[Migration], store: str) -> list[str]:
    """Apply the missing steps in order; the names of those applied now."""
    names = [step.name for step in steps]
    if len(set(names)) != len(names):
        raise ValueError(f"{store}: migration names repeat: {names}")

    done = applied(conn)
    unknown = [name for name in done if name not in names]
    if unknown:
        raise NewerSchema(
            f"the {store} database was written by a newer ED Sentinel (unknown steps: "
            f"{', '.join(unknown)}); update ED Sentinel on this computer"
        )

    now_applied = []
    for step in steps:
        if step.name in done:
            continue
        with transaction(conn):
            for statement in step.statements:
                conn.execute(statement)
            conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                         (step.name, time.time()))
        now_applied.append(step.name)
    return now_applied
