"""Doctors' verdicts and corrections on the knowledge a draft cited, kept for the editors.

Feedback lives in its own small database beside the installed bundles (bundles are read-only
and replaced on every pull). It records which chunk, document, section and versions the
verdict is about, and the reader's role and department; never patient text.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kb.errors import KBInputError
from kb.migrations import FEEDBACK_MIGRATIONS, migrate

FEEDBACK_FILE = "feedback.sqlite"
VERDICTS = ("useful", "irrelevant", "wrong", "outdated")
MAX_CORRECTION_CHARS = 2000


@dataclass(frozen=True)
class FeedbackEntry:
    verdict: str
    document: str
    section: str = ""
    document_version: str = ""
    kb_version: str = ""
    chunk_id: int | None = None
    correction: str = ""
    draft_id: str = ""
    role: str = ""
    department: str = ""

    def checked(self) -> FeedbackEntry:
        if self.verdict not in VERDICTS:
            raise KBInputError(f"unknown verdict {self.verdict!r}; use one of "
                               f"{', '.join(VERDICTS)}")
        if not self.document.strip():
            raise KBInputError("feedback needs the document it is about")
        if len(self.correction) > MAX_CORRECTION_CHARS:
            raise KBInputError(f"the correction has {len(self.correction)} characters, more "
                               f"than {MAX_CORRECTION_CHARS}")
        if "\x00" in self.correction:
            raise KBInputError("the correction contains NUL characters")
        return self


class FeedbackLog:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(folder / FEEDBACK_FILE, isolation_level=None)
        migrate(self._conn, FEEDBACK_MIGRATIONS)
        self.db = sqlite_utils.Database(self._conn)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> FeedbackLog:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def record(self, entry: FeedbackEntry) -> int:
        entry = entry.checked()
        row = {**entry.__dict__, "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
        table = self.db.table("feedback")
        table.insert(row)
        return int(table.last_rowid or 0)

    def entries(self) -> list[dict[str, Any]]:
        return list(self.db.table("feedback").rows_where(order_by="id"))
