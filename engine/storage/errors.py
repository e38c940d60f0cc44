"""Errors of the storage package (case journal, keys, audit log).

    StorageError (engine.errors.EngineError, exit 1)
    ├── BadValue (also engine.errors.BadInput, exit 2): a field name, value or attachment is
    │   wrong; the message says what and how to fix it
    ├── UnknownCase: no such case (never created, purged, or unreadable after a key loss)
    ├── DiskFull: the disk (or the journal's size limit) is full; what was typed is kept in
    │   memory and saving resumes once there is room
    ├── Unreadable: a stored value cannot be decrypted (its key was lost or the bytes changed)
    ├── NewerSchema: the database was written by a newer ED Sentinel
    └── AuditError: the audit log cannot be written or read
"""

from __future__ import annotations

from engine.errors import BadInput, EngineError


class StorageError(EngineError):
    """Base of every error raised by engine.storage."""


class BadValue(StorageError, BadInput):
    """A field name, value or attachment given to the journal is wrong."""


class UnknownCase(StorageError):
    """The case does not exist (never created, purged, or unreadable after a key loss)."""


class DiskFull(StorageError):
    """Nothing more can be written: the disk or the journal's size limit is full."""


class Unreadable(StorageError):
    """A stored value cannot be decrypted: its key is gone or its bytes were changed."""


class NewerSchema(StorageError):
    """The database holds migrations this version does not know: a newer version wrote it."""


class AuditError(StorageError):
    """The audit log cannot be written or read."""
