"""A child process that journals like a doctor at work, until it is killed.

    python -m tests.storage.typist HOME typing|dictation FIRST REST [DELAY_S [STOP_AFTER]]

It types (or dictates, with audio) FIRST one character at a time, waits until the journal's own
writer has saved it, prints "saved CASE_ID", then goes on with REST, round and round, printing
"typed N" after each character and waiting DELAY_S (default 0.003) between characters, until
someone kills it. With STOP_AFTER it stops after that many more characters, prints
"paused N" and waits to be killed, like a doctor who stopped to examine the patient.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from engine.storage import CaseJournal

AUDIO_CHUNK = b"\x10\x00" * 160  # 10 ms of 16 kHz 16-bit mono


def main(home: Path, mode: str, first: str, rest: str, delay_s: float = 0.003,
         stop_after: int | None = None) -> None:
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
    while stop_after is None or count < stop_after:
        text += rest[count % len(rest)]
        count += 1
        _change(journal, case_id, field, text, mode)
        print("typed", len(text), flush=True)
        time.sleep(delay_s)
    print("paused", len(text), flush=True)
    while True:
        time.sleep(1)


def _change(journal: CaseJournal, case_id: str, field: str, text: str, mode: str) -> None:
    journal.record(case_id, field, text)
    if mode == "dictation":
        journal.append_audio(case_id, AUDIO_CHUNK)


if __name__ == "__main__":
    delay = float(sys.argv[5]) if len(sys.argv) > 5 else 0.003
    stop = int(sys.argv[6]) if len(sys.argv) > 6 else None
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], delay, stop)
