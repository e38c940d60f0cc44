"""A child process that journals like a doctor at work, until it is killed.

    python -m tests.storage.typist HOME typing|dictation FIRST REST

It types (or dictates, with audio) FIRST one character at a time, waits until the journal's own
writer has saved it, prints "saved CASE_ID", then goes on with REST, round and round, printing
"typed N" after each character, until someone kills it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from engine.storage import CaseJournal

AUDIO_CHUNK = b"\x10\x00" * 160  # 10 ms of 16 kHz 16-bit mono


def main(home: Path, mode: str, first: str, rest: str) -> None:
    journal = CaseJournal.open(home, retention_hours=24)
    case_id = journal.new_case("胸痛通用")
    field = "typed_text" if mode == "typing" else "dictation_partial"
    text = ""
    for char in first:
        text += char
        _change(journal, case_id, field, text, mode)
    while journal.unsaved_changes():  # no flush(): the writer thread saves on its own
        time.sleep(0.01)
    print("saved", case_id, flush=True)

    count = 0
    while True:
        text += rest[count % len(rest)]
        count += 1
        _change(journal, case_id, field, text, mode)
        print("typed", len(text), flush=True)
        time.sleep(0.003)


def _change(journal: CaseJournal, case_id: str, field: str, text: str, mode: str) -> None:
    journal.record(case_id, field, text)
    if mode == "dictation":
        journal.append_audio(case_id, AUDIO_CHUNK)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4])
