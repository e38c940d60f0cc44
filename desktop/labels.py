"""Findings as the chips the doctor sees: Chinese labels from the findings vocabulary.

Each chip names one evidence key of the findings contract (`present:chest_pain`, `vitals:hr`,
`duration_minutes`), so clicking it can highlight the words that key rests on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# Findings list fields, the vocabulary section of their values, the chip's tone and prefix.
_LIST_FIELDS = (
    ("present", "symptom", "present", ""),
    ("character", "character", "detail", ""),
    ("location", "location", "detail", ""),
    ("radiation", "radiation", "detail", "放射至"),
    ("aggravating", "aggravating", "detail", "加重："),
    ("relieving", "relieving", "detail", "缓解："),
    ("history", "history", "history", ""),
    ("absent", "symptom", "absent", "无"),
    ("history_denied", "history", "absent", "否认"),
)
_SCALARS = (("onset", "onset"), ("course", "course"))
VITAL_LABELS = {"hr": ("HR", "次/分"), "sbp": ("SBP", "mmHg"), "dbp": ("DBP", "mmHg"),
                "rr": ("RR", "次/分"), "spo2": ("SpO₂", "%"), "temp": ("T", "°C"),
                "sbp_left": ("左臂SBP", "mmHg"), "dbp_left": ("左臂DBP", "mmHg"),
                "sbp_right": ("右臂SBP", "mmHg"), "dbp_right": ("右臂DBP", "mmHg")}


@dataclass(frozen=True)
class ChipSpec:
    text: str
    key: str  # the evidence key
    tone: str  # present | absent | detail | history | number


def finding_chips(findings: dict[str, Any] | None) -> list[ChipSpec]:
    """The chips of a findings object (the contract's `findings`), in reading order."""
    if not findings:
        return []
    chips: list[ChipSpec] = []
    for field, section, tone, prefix in _LIST_FIELDS[:3]:
        chips += _list_chips(findings, field, section, tone, prefix)
    for field, section in _SCALARS:
        value = findings.get(field)
        if isinstance(value, str):
            chips.append(ChipSpec(_label(section, value), f"{field}:{value}", "detail"))
    minutes = findings.get("duration_minutes")
    if isinstance(minutes, int | float) and not isinstance(minutes, bool):
        chips.append(ChipSpec(duration_text(minutes), "duration_minutes", "number"))
    for field, section, tone, prefix in _LIST_FIELDS[3:]:
        chips += _list_chips(findings, field, section, tone, prefix)
    chips += _person_chips(findings)
    chips += _vital_chips(findings.get("vitals") or {})
    return chips


def duration_text(minutes: float) -> str:
    """A duration as a doctor writes it: 40分钟, 3小时, 2天."""
    minutes = int(minutes)
    if minutes >= 1440 and minutes % 1440 == 0:
        return f"{minutes // 1440}天"
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes // 60}小时"
    if minutes >= 120:
        return f"{minutes / 60:.1f}小时"
    return f"{minutes}分钟"


def _list_chips(findings: dict[str, Any], field: str, section: str, tone: str,
                prefix: str) -> list[ChipSpec]:
    values = findings.get(field) or []
    return [ChipSpec(prefix + _label(section, value), f"{field}:{value}", tone)
            for value in values if isinstance(value, str)]


def _person_chips(findings: dict[str, Any]) -> list[ChipSpec]:
    chips = []
    sex = findings.get("sex")
    if sex in ("male", "female"):
        chips.append(ChipSpec("男" if sex == "male" else "女", "sex", "number"))
    age = findings.get("age")
    if isinstance(age, int) and not isinstance(age, bool):
        chips.append(ChipSpec(f"{age}岁", "age", "number"))
    return chips


def _vital_chips(vitals: dict[str, Any]) -> list[ChipSpec]:
    chips = []
    for key, (name, unit) in VITAL_LABELS.items():
        value = vitals.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            chips.append(ChipSpec(f"{name} {value:g}{unit}", f"vitals:{key}", "number"))
    return chips


def _label(section: str, value: str) -> str:
    try:
        from engine.findings.vocabulary import vocabulary

        return vocabulary().label(section, value)
    except (KeyError, ImportError):
        return value
