"""The hand-over from the HIS: visit, patient context and triage vitals, as one JSON object.

The HIS (or a script beside it) hands a visit to the panel on start (`sentinel panel --handover
FILE.json`) or while it runs (`sentinel open FILE.json`, or `-` for stdin). The object::

    {
      "visit":   {"id": "E20261203-0042",          required, 1-64 printable characters
                  "time": "2026-12-03T14:35"},     required, ISO 8601 to the minute or second
      "patient": {"age": 52,                       optional, whole years 0-130
                  "sex": "male"},                  optional, "male" | "female" (男 | 女 accepted)
      "doctor":  {"his_user_id": "D1024"},         optional, the doctor's HIS account (audit)
      "vitals":  {"hr": 112, "sbp": 160, "dbp": 95,           optional, triage vitals, numbers:
                  "rr": 22, "spo2": 96, "temp": 37.2,         the keys of the findings contract
                  "sbp_left": 170, "dbp_left": 100,           (per-arm pressures where two were
                  "sbp_right": 140, "dbp_right": 85}           measured)
    }

Every section is an object, unknown keys are refused at every level, numbers must be JSON
numbers (not strings), and each vital must lie in a range a living patient can show. A refused
hand-over raises `HandoverRefused` naming the field and what to send instead; the panel then
shows that message and changes nothing. The file must be UTF-8, at most 64 KiB.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from desktop.errors import HandoverRefused

MAX_BYTES = 64 * 1024

# Plausible limits for a living patient; outside them the number is a typing error in the HIS.
VITAL_RANGES: dict[str, tuple[float, float]] = {
    "hr": (10, 300), "sbp": (30, 300), "dbp": (10, 250), "rr": (2, 80),
    "spo2": (30, 100), "temp": (25, 45),
    "sbp_left": (30, 300), "dbp_left": (10, 250), "sbp_right": (30, 300), "dbp_right": (10, 250),
}
_SEXES = {"male": "male", "female": "female", "男": "male", "女": "female"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Visit(_Strict):
    id: str = Field(min_length=1, max_length=64)
    time: datetime

    @field_validator("id")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable() or value != value.strip():
            raise ValueError("must be printable characters without surrounding spaces")
        return value

    @field_validator("time", mode="before")
    @classmethod
    def _iso_text(cls, value: Any) -> datetime:
        if not isinstance(value, str):
            raise ValueError("must be an ISO time as text, like \"2026-12-03T14:35\"")
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO time like \"2026-12-03T14:35\"") from None


class Patient(_Strict):
    age: int | None = Field(None, ge=0, le=130)
    sex: str | None = None

    @field_validator("sex")
    @classmethod
    def _known_sex(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value not in _SEXES:
            raise ValueError(f"{value!r} is not one of \"male\", \"female\" (or 男, 女)")
        return _SEXES[value]


class Doctor(_Strict):
    his_user_id: str | None = Field(None, min_length=1, max_length=64)


class Handover(_Strict):
    """A validated hand-over; `vitals` holds only the contract's keys, as floats."""

    visit: Visit
    patient: Patient = Field(default_factory=Patient)
    doctor: Doctor = Field(default_factory=Doctor)
    vitals: dict[str, float] = Field(default_factory=dict)

    @field_validator("vitals")
    @classmethod
    def _known_vitals(cls, vitals: dict[str, float]) -> dict[str, float]:
        for key, value in vitals.items():
            if key not in VITAL_RANGES:
                raise ValueError(f"unknown vital {key!r}; known: {', '.join(VITAL_RANGES)}")
            low, high = VITAL_RANGES[key]
            if not low <= value <= high:
                raise ValueError(f"{key} = {value:g} is outside {low:g}-{high:g}")
        return vitals

    def to_json(self) -> dict[str, Any]:
        """The hand-over as the documented JSON object (for the journal and the channel)."""
        return {
            "visit": {"id": self.visit.id, "time": self.visit.time.isoformat(timespec="minutes")},
            "patient": self.patient.model_dump(),
            "doctor": self.doctor.model_dump(),
            "vitals": dict(self.vitals),
        }


def parse_handover(data: bytes | str | dict[str, Any]) -> Handover:
    """A hand-over from raw bytes, JSON text or a decoded object; HandoverRefused when wrong."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise HandoverRefused(f"the hand-over has {len(data)} bytes, more than {MAX_BYTES}; "
                                  "send only visit, patient, doctor and vitals")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HandoverRefused(f"the hand-over is not UTF-8 (byte {exc.start}); "
                                  "save it as UTF-8") from None
    if isinstance(data, str):
        if not data.strip():
            raise HandoverRefused("the hand-over is empty; send a JSON object with a visit")
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise HandoverRefused(f"the hand-over is larger than {MAX_BYTES} bytes")
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise HandoverRefused(f"the hand-over is not JSON: {exc.msg} at character "
                                  f"{exc.pos}") from None
    if not isinstance(data, dict):
        raise HandoverRefused("the hand-over must be a JSON object like "
                              "{\"visit\": {\"id\": \"...\", \"time\": \"...\"}}")
    try:
        return Handover.model_validate(data)
    except ValidationError as exc:
        raise HandoverRefused(f"the hand-over is wrong: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    """Pydantic's errors as `where: what` phrases, the first three."""
    phrases = []
    for error in exc.errors()[:3]:
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field; allowed are documented in desktop/handover.py"
        elif error["type"] == "missing":
            message = "required"
        phrases.append(f"{where}: {message}")
    more = len(exc.errors()) - len(phrases)
    return "; ".join(phrases) + (f" (and {more} more)" if more > 0 else "")
