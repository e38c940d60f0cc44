"""What the doctor has given for the current case, and how it becomes the engine's `Case`.

The free text is the doctor's own (typed or dictated). The structured fields (course, duration
with its unit) and the patient context of the hand-over (age, sex) are written after it as one
plain Chinese sentence, so the rules engine reads them the way it reads the text; evidence
spans that fall inside that sentence belong to the fields, not to the words in the text box.
Triage vitals go to the engine as vitals (the measured value wins over the text's).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from desktop.handover import VITAL_RANGES, Handover

Course = Literal["persistent", "intermittent"]
DurationUnit = Literal["minutes", "hours", "days"]

DEFAULT_TEMPLATE = "chest_pain_general"
COURSE_WORDS: dict[str, str] = {"persistent": "持续性", "intermittent": "间断性"}
UNIT_WORDS: dict[str, str] = {"minutes": "分钟", "hours": "小时", "days": "天"}
# Between the doctor's text and the fields' sentence: a line break, so no word runs across.
SEPARATOR = "\n"
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class CaseInputs:
    """One case's inputs, immutable: each edit makes a new value (cheap, and safe to hand to a
    worker thread)."""

    text: str = ""
    template: str = DEFAULT_TEMPLATE
    course: Course | None = None
    duration_value: float | None = None
    duration_unit: DurationUnit = "hours"
    vitals: dict[str, float] = field(default_factory=dict)
    triage_vitals: frozenset[str] = frozenset()  # keys that came from the HIS hand-over
    age: int | None = None
    sex: str | None = None
    visit_id: str | None = None
    visit_time: datetime | None = None
    his_user_id: str | None = None

    # -- derived -------------------------------------------------------------------------

    def fields_sentence(self) -> str:
        """The structured fields and patient context as one sentence, or ""."""
        parts = []
        if self.sex in ("male", "female") or self.age is not None:
            who = {"male": "男", "female": "女"}.get(self.sex or "", "")
            parts.append(f"患者{who}" + (f"，{self.age}岁" if self.age is not None else ""))
        if self.course is not None:
            parts.append(f"症状呈{COURSE_WORDS[self.course]}")
        if self.duration_value is not None and self.duration_value > 0:
            amount = _number(self.duration_value)
            parts.append(f"病程{amount}{UNIT_WORDS[self.duration_unit]}")
        return "，".join(parts) + "。" if parts else ""

    def engine_text(self) -> str:
        """What the rules engine reads: the doctor's words, then the fields' sentence."""
        sentence = self.fields_sentence()
        if not sentence:
            return self.text
        return f"{self.text}{SEPARATOR}{sentence}" if self.text.strip() else sentence

    def is_empty(self) -> bool:
        return not self.text.strip() and not self.fields_sentence() and not self.vitals

    def engine_vitals(self) -> dict[str, float] | None:
        return dict(self.vitals) if self.vitals else None

    # -- the journal's form --------------------------------------------------------------

    def fields_json(self) -> dict[str, Any]:
        return {"course": self.course, "duration_value": self.duration_value,
                "duration_unit": self.duration_unit}

    def vitals_json(self) -> dict[str, Any]:
        return {"values": dict(self.vitals), "triage": sorted(self.triage_vitals)}

    def with_fields_json(self, data: Any) -> CaseInputs:
        if not isinstance(data, dict):
            return self
        course = data.get("course")
        unit = data.get("duration_unit")
        value = data.get("duration_value")
        return replace(
            self,
            course=course if course in COURSE_WORDS else None,
            duration_unit=unit if unit in UNIT_WORDS else "hours",
            duration_value=float(value) if isinstance(value, int | float)
            and not isinstance(value, bool) and value > 0 else None,
        )

    def with_vitals_json(self, data: Any) -> CaseInputs:
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            return self
        values = {k: float(v) for k, v in data["values"].items()
                  if k in VITAL_RANGES and isinstance(v, int | float) and not isinstance(v, bool)}
        triage = frozenset(k for k in data.get("triage") or [] if k in values)
        return replace(self, vitals=values, triage_vitals=triage)

    def with_handover(self, handover: Handover) -> CaseInputs:
        """The hand-over's patient context and triage vitals over these inputs."""
        vitals = dict(self.vitals)
        vitals.update(handover.vitals)
        return replace(
            self, vitals=vitals, triage_vitals=frozenset(handover.vitals) | self.triage_vitals,
            age=handover.patient.age, sex=handover.patient.sex, visit_id=handover.visit.id,
            visit_time=handover.visit.time, his_user_id=handover.doctor.his_user_id,
        )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
