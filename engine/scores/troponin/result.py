"""What the troponin algorithm answers: a verdict, the next draw due, and a Chinese message."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Verdict = Literal["rule_out", "observe", "rule_in", "not_validated", "pending"]
# Which sample of the protocol a draw was taken as; "unscheduled" draws fit no sample's window.
Role = Literal["0h", "1h", "2h", "3h", "unscheduled"]


class Draw(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime
    value: float
    role: Role


class TroponinResult(BaseModel):
    """The algorithm's answer for one patient at the time `now` it was asked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    assay: str
    assay_label: str
    protocol: str
    verdict: Verdict
    # A short code for the rule that decided, e.g. "very_low_0h" or "awaiting_second".
    reason: str
    next_draw_at: datetime | None
    overdue: bool
    message: str
    # Absolute change from the 0h value to the protocol's second sample, once there is one.
    delta: float | None
    draws: tuple[Draw, ...]
    cutoffs: dict[str, float] | None
    citation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 text."""
        return self.model_dump(mode="json")
