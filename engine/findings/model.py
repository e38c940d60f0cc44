"""What the extractor understood from a text: the findings, each with its evidence.

`Findings.to_dict()` is the ``findings`` object of the ``sentinel assess`` JSON. Unknown values
are None or empty lists, never guesses. Evidence keys are ``field:value`` (``present:chest_pain``,
``radiation:back``, ``vitals:hr``) or the bare field for single numbers (``duration_minutes``,
``age``); each holds half-open ``[start, end)`` code-point ranges into the text as given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]

VITAL_KEYS = ("hr", "sbp", "dbp", "rr", "spo2", "temp",
              "sbp_left", "dbp_left", "sbp_right", "dbp_right")
LIST_FIELDS = ("present", "absent", "character", "location", "radiation", "aggravating",
               "relieving", "history", "history_denied")
SCALAR_FIELDS = ("onset", "course", "sex")
NUMBER_FIELDS = ("duration_minutes", "age")


@dataclass(frozen=True)
class FamilyEvent:
    """A relative's coronary event (父亲55岁时心梗): who, how close, and at what age."""

    sex: str | None
    first_degree: bool | None
    age: int | None
    premature_stated: bool = False


@dataclass
class Findings:
    """The findings of one text. Lists keep the order in which the text first says them."""

    present: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    duration_minutes: int | None = None
    onset: str | None = None
    course: str | None = None
    character: list[str] = field(default_factory=list)
    location: list[str] = field(default_factory=list)
    radiation: list[str] = field(default_factory=list)
    aggravating: list[str] = field(default_factory=list)
    relieving: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    history_denied: list[str] = field(default_factory=list)
    vitals: dict[str, float | None] = field(
        default_factory=lambda: dict.fromkeys(VITAL_KEYS)
    )
    age: int | None = None
    sex: str | None = None
    evidence: dict[str, list[Span]] = field(default_factory=dict)
    # What the mapping to score inputs needs beyond the contract's fields.
    denied: dict[str, list[Span]] = field(default_factory=dict)
    family: list[FamilyEvent] = field(default_factory=list)
    leg_swelling_side: str | None = None
    previously_healthy: bool = False  # 既往体健 was said

    def add_evidence(self, key: str, span: Span) -> None:
        spans = self.evidence.setdefault(key, [])
        if span not in spans:
            spans.append(span)
            spans.sort()

    def knows(self, key: str) -> bool:
        """Whether a ``field:value`` or number key is reported."""
        field_name, _, value = key.partition(":")
        if field_name == "vitals":
            return self.vitals.get(value) is not None
        if not value:
            return getattr(self, field_name, None) not in (None, [])
        current = getattr(self, field_name, None)
        if isinstance(current, list):
            return value in current
        return current == value

    def to_dict(self) -> dict[str, Any]:
        evidence = {
            key: [list(span) for span in spans]
            for key, spans in sorted(self.evidence.items())
            if spans and self.knows(key)
        }
        return {
            "present": list(self.present),
            "absent": list(self.absent),
            "duration_minutes": self.duration_minutes,
            "onset": self.onset,
            "course": self.course,
            "character": list(self.character),
            "location": list(self.location),
            "radiation": list(self.radiation),
            "aggravating": list(self.aggravating),
            "relieving": list(self.relieving),
            "history": list(self.history),
            "history_denied": list(self.history_denied),
            "vitals": {key: self.vitals.get(key) for key in VITAL_KEYS},
            "age": self.age,
            "sex": self.sex,
            "evidence": evidence,
        }
