"""What the stores tell the user: plain messages with a stable code for the panel to show."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NoticeCode(StrEnum):
    KEY_LOST = "key_lost"
    KEY_FILE = "key_file"
    DAMAGED = "damaged"
    DISK_FULL = "disk_full"
    SAVING_AGAIN = "saving_again"
    AUDIT_KEY_REPLACED = "audit_key_replaced"
    AUDIT_TAMPERED = "audit_tampered"


@dataclass(frozen=True)
class Notice:
    """One thing the user must be told; `message` says what happened and what to do."""

    code: NoticeCode
    message: str
    at: float
