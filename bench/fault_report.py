"""Run the fault matrix and print a table of fault, result and data lost.

    .venv/bin/python bench/fault_report.py [--only WORD]

Each fault runs against real components in a fresh data folder (real SQLite, real keyring
backend, real child processes killed with SIGKILL). The storage faults are here. The faults that
need the inference box and the drafting pipeline (refused connection, timeout, 500/503, a stream
cut mid-JSON, invalid JSON, a draft failing the schema, SIGKILL during a streamed draft) come
from `bench/fault_inference.py` when it exists: it defines `FAULTS`, a list of `Fault`s, named as
in `INFERENCE_FAULTS` below. Until then those rows say "not run".

Exit status: 0 when every fault that ran kept the promise (nothing saved was lost, the user
was told), 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine.storage import (  # noqa: E402 - after the path set-up, so the bench runs as a script
    AuditLog,
    CaseJournal,
    DiskFull,
    Notice,
    NoticeCode,
    database,
)

TYPED = "持续左胸痛3小时，压榨样，伴冷汗气促，既往高血压10年。"
INFERENCE_FAULTS = (
    "box refuses the connection",
    "box times out",
    "box answers 500",
    "box answers 503",
    "stream cut mid-JSON",
    "box sends invalid JSON",
    "draft fails the schema",
    "SIGKILL during a streamed draft",
)


@dataclass(frozen=True)
class Outcome:
    result: str
    lost: str
    ok: bool


@dataclass(frozen=True)
class Fault:
    name: str
    run: Callable[[Path], Outcome]


# -- environment -----------------------------------------------------------------------------

@contextlib.contextmanager
def fresh_home() -> Iterator[Path]:
    """A data folder, policy files and a file keyring of its own, as on a new workstation."""
    with tempfile.TemporaryDirectory(prefix="sentinel-fault-") as folder:
        root = Path(folder)
        saved = dict(os.environ)
        os.environ.update({
            "SENTINEL_HOME": str(root / "home"),
            "SENTINEL_POLICY_FILE": str(root / "policy.json"),
            "SENTINEL_INSTALLER_FILE": str(root / "installer.json"),
            "XDG_DATA_HOME": str(root / "xdg"),
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        })
        import keyring
        from keyrings.alt.file import PlaintextKeyring

        previous = keyring.get_keyring()
        keyring.set_keyring(PlaintextKeyring())
        try:
            (root / "home").mkdir()
            yield root / "home"
        finally:
            keyring.set_keyring(previous)
            os.environ.clear()
            os.environ.update(saved)


def open_journal(home: Path, **options: object) -> CaseJournal:
    return CaseJournal.open(home, retention_hours=24, **options)  # type: ignore[arg-type]


# -- storage faults --------------------------------------------------------------------------

def _typist(home: Path, mode: str, keys: int, delay_s: float, pause_s: float
            ) -> tuple[int, str]:
    """Run the test typist for `keys` more keys at `delay_s` apart, then SIGKILL it: at once,
    or `pause_s` after its last key. How far it had typed, and its case id."""
    command = [sys.executable, "-m", "tests.storage.typist", str(home), mode, TYPED, TYPED,
               str(delay_s)]
    if pause_s:
        command.append(str(keys))
    child = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    assert child.stdout is not None
    case_id = child.stdout.readline().split()[1]
    typed = 0
    for _ in range(keys):
        typed = int(child.stdout.readline().split()[1])
    if pause_s:
        assert child.stdout.readline().split()[0] == "paused"
        time.sleep(pause_s)
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    return typed, case_id


def sigkill(mode: str, pause_s: float) -> Callable[[Path], Outcome]:
    """Killed while a fast typist (10 characters a second) is at work, or after a pause."""
    def run(home: Path) -> Outcome:
        typed, case_id = _typist(home, mode, keys=30, delay_s=0.1, pause_s=pause_s)
        with open_journal(home) as journal:
            field = "typed_text" if mode == "typing" else "dictation_partial"
            text = str(journal.case(case_id).values.get(field, ""))
            audio = len(journal.audio(case_id))
        whole = text.startswith(TYPED) and (TYPED * 3).startswith(text)
        missing = max(0, typed - len(text))
        lost = "0" if missing == 0 else \
            f"0 of the saved; {missing} char(s) typed <0.5 s before the kill"
        extra = f", audio {audio // 320} x 10 ms" if mode == "dictation" else ""
        return Outcome(f"case back on restart, {len(text)} of {typed} chars{extra}", lost,
                       whole and (missing == 0 or not pause_s))
    return run


def disk_full(home: Path) -> Outcome:
    connections: list[sqlite3.Connection] = []

    def connect(path: Path) -> sqlite3.Connection:
        conn = database.connect(path)
        connections.append(conn)
        return conn

    told: list[Notice] = []
    journal = open_journal(home, connect=connect, on_notice=told.append)
    case_id = journal.new_case()
    journal.flush()
    pages = connections[-1].execute("PRAGMA page_count").fetchone()[0]
    connections[-1].execute(f"PRAGMA max_page_count = {pages}")
    for end in range(1, len(TYPED) + 1):
        journal.record(case_id, "typed_text", TYPED[:end] * 300)
    picture = os.urandom(200_000)
    attachment_id = journal.attach(case_id, "ct.png", picture)
    try:
        journal.flush()
        refused = False
    except DiskFull:
        refused = True
    in_memory = journal.case(case_id).values["typed_text"] == TYPED * 300
    connections[-1].execute("PRAGMA max_page_count = 1073741823")
    journal.flush()
    journal.close()
    with open_journal(home) as again:
        kept = (again.case(case_id).values["typed_text"] == TYPED * 300
                and again.attachment(case_id, attachment_id) == picture)
    codes = [notice.code for notice in told]
    ok = refused and in_memory and kept and codes == [NoticeCode.DISK_FULL,
                                                      NoticeCode.SAVING_AGAIN]
    return Outcome("kept in memory, user told, saved once room came back",
                   "0" if kept else "text or picture missing", ok)


def _journal_of_cases(home: Path, count: int) -> Path:
    with open_journal(home) as journal:
        for number in range(count):
            case_id = journal.new_case()
            journal.record(case_id, "typed_text", f"{number}:" + TYPED * (number + 1) * 4)
            journal.attach(case_id, "a.png", os.urandom(3000))
        return journal.folder / "journal.db"


def damaged(how: str) -> Callable[[Path], Outcome]:
    def run(home: Path) -> Outcome:
        path = _journal_of_cases(home, 12)
        data = bytearray(path.read_bytes())
        if how == "header":
            data[:100] = os.urandom(100)
        else:
            conn = sqlite3.connect(path)
            page = conn.execute("SELECT MIN(pageno) FROM dbstat WHERE name = 'case_values'"
                                " AND pagetype = 'leaf'").fetchone()[0]
            conn.close()
            data[(page - 1) * 4096:page * 4096] = os.urandom(4096)
        path.write_bytes(bytes(data))
        with open_journal(home) as journal:
            told = any(notice.code == NoticeCode.DAMAGED for notice in journal.notices())
            back = [case for case in journal.open_cases() if "typed_text" in case.values]
            case_id = journal.new_case()
            journal.record(case_id, "typed_text", "new")
        moved = len([p for p in path.parent.glob("journal.db.damaged-*")
                     if not p.name.endswith(("-wal", "-shm"))])
        lost = "0" if len(back) == 12 else f"{12 - len(back)} of 12 old cases (file kept for IT)"
        return Outcome(f"moved aside ({moved}), fresh file, user told, {len(back)}/12 salvaged",
                       lost, told and moved == 1)
    return run


def key_lost(home: Path) -> Outcome:
    import keyring

    with open_journal(home) as journal:
        old = journal.new_case()
        journal.record(old, "typed_text", TYPED)
    backend = keyring.get_keyring()
    Path(backend.file_path).unlink()  # type: ignore[attr-defined]
    with open_journal(home) as journal:
        told = [notice.code for notice in journal.notices()] == [NoticeCode.KEY_LOST]
        unreadable = journal.unreadable_cases() == [old]
        new = journal.new_case()
        journal.record(new, "typed_text", TYPED)
    with open_journal(home) as journal:
        new_kept = journal.case(new).values["typed_text"] == TYPED
    return Outcome("user told; old cases unreadable, purged on time; new work saved",
                   "1 old case, by design (its key is gone); new work 0",
                   told and unreadable and new_kept)


def no_keyring(home: Path) -> Outcome:
    import keyring
    import keyring.backends.fail

    keyring.set_keyring(keyring.backends.fail.Keyring())
    with open_journal(home) as journal:
        warned = [notice.code for notice in journal.notices()] == [NoticeCode.KEY_FILE]
        case_id = journal.new_case()
        journal.record(case_id, "typed_text", TYPED)
    mode = (home / "keys" / "journal.key").stat().st_mode & 0o777
    with open_journal(home) as journal:
        kept = journal.case(case_id).values["typed_text"] == TYPED
    return Outcome(f"key file mode {mode:o}, user warned", "0" if kept else "text missing",
                   warned and kept and mode == 0o600)


def stolen_files(home: Path) -> Outcome:
    journal = open_journal(home)
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", TYPED)
    journal.attach(case_id, "张秀英.png", TYPED.encode() * 10)
    journal.flush()
    data = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    journal.close()
    found = [word for word in ("左胸痛", "冷汗气促", "张秀英") if word.encode() in data]
    return Outcome(f"searched {len(data):,} bytes (db + WAL): {len(found)} words found",
                   "n/a", not found)


def retention(home: Path) -> Outcome:
    now = [time.time()]
    journal = open_journal(home, clock=lambda: now[0])
    case_id = journal.new_case()
    journal.record(case_id, "typed_text", TYPED * 50)
    journal.flush()
    conn = sqlite3.connect(journal.folder / "journal.db")
    sealed = conn.execute("SELECT sealed FROM case_values").fetchone()[0]
    conn.close()
    now[0] += 24.1 * 3600
    report = journal.purge_expired()
    data = b"".join(p.read_bytes() for p in journal.folder.iterdir() if p.is_file())
    journal.close()
    left = sum(sealed[i:i + 24] in data for i in range(0, len(sealed) - 24, 97))
    return Outcome(f"{report.cases} case purged; {left} pieces of its ciphertext left", "n/a",
                   report.cases == 1 and left == 0)


def audit_tamper(how: str) -> Callable[[Path], Outcome]:
    statements = {
        "edit": ["UPDATE entries SET body = replace(body, 'rules', 'model') WHERE seq = 3"],
        "delete": ["DELETE FROM entries WHERE seq = 3"],
        "reorder": ["UPDATE entries SET seq = -1 WHERE seq = 4",
                    "UPDATE entries SET seq = 4 WHERE seq = 3",
                    "UPDATE entries SET seq = 3 WHERE seq = -1"],
        "tail cut": ["DELETE FROM entries WHERE seq >= 5"],
    }[how]

    def run(home: Path) -> Outcome:
        with AuditLog.open(home) as audit:
            for number in range(6):
                audit.record_generation(case_id=f"c{number}", template="胸痛通用",
                                        provenance={"engine": "rules"}, inputs=TYPED,
                                        output="draft")
        conn = sqlite3.connect(home / "audit" / "audit.db", isolation_level=None)
        conn.execute("DROP TRIGGER entries_append_only_update")
        conn.execute("DROP TRIGGER entries_append_only_delete")
        for statement in statements:
            conn.execute(statement)
        conn.close()
        with AuditLog.open(home) as audit:
            result = audit.verify()
        expected = 5 if how == "tail cut" else 3
        reason = result.reason.split(" (found at")[0]  # drop "recorded as entry N"
        why = reason.rsplit("(", 1)[-1].rstrip(")") if "(" in reason else reason
        return Outcome(f"detected, first broken entry named: {result.first_broken} ({why[:30]})",
                       "n/a", not result.ok and result.first_broken == expected)
    return run


def autosave_latency(home: Path) -> Outcome:
    """How long a keystroke waits in memory before it is on disk (median and worst)."""
    journal = open_journal(home)
    case_id = journal.new_case()
    waits, calls = [], []
    for count in range(1, 41):
        started = time.perf_counter()
        journal.record(case_id, "typed_text", TYPED * count)
        calls.append(time.perf_counter() - started)
        while journal.unsaved_changes():
            time.sleep(0.002)
        waits.append(time.perf_counter() - started)
        time.sleep(0.05)
    journal.close()
    median, worst = statistics.median(waits), max(waits)
    call_us = statistics.median(calls) * 1e6
    return Outcome(f"on disk after median {median:.2f} s, max {worst:.2f} s; record() "
                   f"{call_us:.0f} us (n=40)", "0", worst < 1.0)


STORAGE_FAULTS = [
    Fault("SIGKILL while typing (mid-keystroke)", sigkill("typing", 0.0)),
    Fault("SIGKILL while typing (1 s after last key)", sigkill("typing", 1.0)),
    Fault("SIGKILL during dictation", sigkill("dictation", 0.0)),
    Fault("disk full while autosaving", disk_full),
    Fault("journal header overwritten", damaged("header")),
    Fault("journal page damaged", damaged("page")),
    Fault("journal key lost", key_lost),
    Fault("no OS keyring", no_keyring),
    Fault("journal files stolen", stolen_files),
    Fault("retention purge (secure delete)", retention),
    Fault("audit entry edited", audit_tamper("edit")),
    Fault("audit entry deleted", audit_tamper("delete")),
    Fault("audit entries reordered", audit_tamper("reorder")),
    Fault("audit tail cut", audit_tamper("tail cut")),
    Fault("autosave delay", autosave_latency),
]


def inference_faults() -> list[Fault]:
    """The box and pipeline faults, from bench/fault_inference.py (its `FAULTS`) if present."""
    path = Path(__file__).with_name("fault_inference.py")
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location("fault_inference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.FAULTS)


def run_all(only: str | None) -> list[tuple[str, Outcome | None]]:
    extra = inference_faults()
    names = {fault.name for fault in extra}
    faults = STORAGE_FAULTS + extra
    rows: list[tuple[str, Outcome | None]] = []
    for fault in faults:
        if only and only.lower() not in fault.name.lower():
            continue
        with fresh_home() as home:
            try:
                outcome = fault.run(home)
            except Exception as exc:  # noqa: BLE001 - one broken fault must not hide the rest
                outcome = Outcome(f"crashed: {type(exc).__name__}: {exc}"[:70], "?", False)
        rows.append((fault.name, outcome))
    for name in INFERENCE_FAULTS:
        if name not in names and not (only and only.lower() not in name.lower()):
            rows.append((name, None))
    return rows


def print_table(rows: list[tuple[str, Outcome | None]]) -> None:
    headers = ("fault", "result", "data lost", "ok")
    cells = [(name, "not run: needs bench/fault_inference.py", "-", "-") if outcome is None
             else (name, outcome.result, outcome.lost, "yes" if outcome.ok else "NO")
             for name, outcome in rows]
    widths = [max(len(row[column]) for row in [headers, *cells]) for column in range(4)]
    for row in [headers, tuple("-" * width for width in widths), *cells]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only faults whose name contains this word")
    args = parser.parse_args()
    # A quiet run: the faults' warnings are the point, not noise for the table.
    import logging

    logging.disable(logging.CRITICAL)
    threading.excepthook = lambda hook_args: None
    rows = run_all(args.only)
    print_table(rows)
    return 0 if all(outcome is None or outcome.ok for _, outcome in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
