"""Local stores of a workstation: the case journal and the audit log (no Qt here).

Patient text lives only in memory and, sealed with AES-GCM, in the case journal. Keys are in the
OS keyring (service "ed-sentinel"), or where there is none in a private key file with a warning.

The case journal (`journal/journal.db`, SQLite WAL)::

    journal = CaseJournal.open(home)               # home: the data folder; default sentinel_home()
    for case in journal.open_cases(): ...          # after a crash: what was being worked on
    case_id = journal.new_case(template="胸痛通用")
    journal.record(case_id, "typed_text", text)    # on every keystroke; saved within a second
    journal.record(case_id, "dictation", final_text)
    journal.record(case_id, "fields", {"onset": "persistent", "duration_h": 3})
    attachment_id = journal.attach(case_id, "ecg.jpg", jpeg_bytes)
    journal.append_audio(case_id, pcm_chunk)       # temporary; journal.discard_audio(case_id)
    journal.save_draft(case_id, draft_json)        # a JSON object or its text
    journal.case(case_id).values["typed_text"]     # a snapshot (CaseState)
    journal.close_case(case_id)                    # copied to the HIS: no longer comes back
    journal.purge_expired(now)                     # also run on open and every 5 minutes
    journal.close()

Every call is thread-safe and returns at once (the panel may call from its GUI or a worker
thread); a writer thread does the disk work. Things the user must be told (a lost key, a damaged
file moved aside, a full disk, the key kept in a file) arrive as `Notice`s: through
`on_notice=` (called from the thread that noticed, often the writer: keep it quick, e.g. emit
a Qt signal) and in `journal.notices()`. When the disk is
full, changes stay in memory (`journal.problem`, `journal.unsaved_changes()`) and are written once
there is room; `journal.flush()` raises DiskFull meanwhile.

The audit log (`audit/audit.db`, head in `audit/head.json` and the keyring)::

    audit = AuditLog.open(home)
    audit.record_generation(case_id=..., template=..., provenance=draft.provenance.model_dump(),
                            inputs=case_inputs, output=draft_json, his_user=his_id_or_None)
    audit.record_copy(case_id=..., template=..., provenance=..., section="现病史", text=copied)
    result = audit.verify()                        # VerifyResult: ok, entries, first_broken
    audit.export(stream, fmt="csv" | "jsonl", since=datetime)

Errors are in `engine.storage.errors` (base `StorageError`).
"""

from engine.storage.audit import AuditEntry, AuditLog, VerifyResult
from engine.storage.errors import (
    AuditError,
    BadValue,
    DiskFull,
    NewerSchema,
    StorageError,
    UnknownCase,
    Unreadable,
)
from engine.storage.journal import AttachmentInfo, CaseJournal, CaseState, PurgeReport
from engine.storage.keys import SERVICE, KeyStore
from engine.storage.notices import Notice, NoticeCode

__all__ = [
    "SERVICE",
    "AttachmentInfo",
    "AuditEntry",
    "AuditError",
    "AuditLog",
    "BadValue",
    "CaseJournal",
    "CaseState",
    "DiskFull",
    "KeyStore",
    "NewerSchema",
    "Notice",
    "NoticeCode",
    "PurgeReport",
    "StorageError",
    "UnknownCase",
    "Unreadable",
    "VerifyResult",
]
