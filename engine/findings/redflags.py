"""Red flags: the template's, the universal ones, and triage vitals that disagree with the text.

Each red flag has a level: ``high`` (a danger sign; it makes the risk level 高危) or ``check``
(something to verify, such as triage and the text giving different heart rates; it keeps the
risk level from being 低危 but does not raise it to 高危).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from engine.findings.conditions import evidence_of, holds
from engine.findings.errors import VocabularyError
from engine.findings.model import Findings, Span
from prompts.templates import RedFlag, Template, TemplateError, red_flag_from_data

# How far a triage reading may differ from the text's before they disagree: about the spread of
# two honest readings minutes apart.
DISAGREEMENT_TOLERANCE = {"hr": 10, "sbp": 10, "dbp": 10, "rr": 4, "spo2": 2, "temp": 0.5,
                          "sbp_left": 10, "dbp_left": 10, "sbp_right": 10, "dbp_right": 10}
VITAL_LABELS = {"hr": ("心率", "次/分"), "sbp": ("收缩压", "mmHg"), "dbp": ("舒张压", "mmHg"),
                "rr": ("呼吸", "次/分"), "spo2": ("血氧饱和度", "%"), "temp": ("体温", "℃"),
                "sbp_left": ("左上肢收缩压", "mmHg"), "dbp_left": ("左上肢舒张压", "mmHg"),
                "sbp_right": ("右上肢收缩压", "mmHg"), "dbp_right": ("右上肢舒张压", "mmHg")}


@dataclass(frozen=True)
class RaisedFlag:
    id: str
    text: str
    evidence: tuple[Span, ...]
    level: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text,
                "evidence": [list(span) for span in self.evidence]}


@cache
def universal_flags() -> tuple[RedFlag, ...]:
    raw = (resources.files("engine.findings") / "red_flags.toml").read_text("utf-8")
    try:
        data = tomllib.loads(raw)
        return tuple(red_flag_from_data(item, "red_flags.toml") for item in data["red_flags"])
    except (tomllib.TOMLDecodeError, KeyError, TemplateError) as exc:
        raise VocabularyError(f"red_flags.toml: {exc}") from None


def _raised(flag: RedFlag, findings: Findings,
            vitals: Mapping[str, float | None]) -> RaisedFlag | None:
    if not all(holds(c, findings, vitals) for c in flag.all):
        return None
    met_any = [c for c in flag.any if holds(c, findings, vitals)]
    if flag.any and not met_any:
        return None
    spans = sorted({span for c in (*flag.all, *met_any) for span in evidence_of(c, findings)})
    return RaisedFlag(flag.id, flag.text, tuple(spans), flag.level)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def disagreements(findings: Findings, triage: Mapping[str, float | None]) -> list[RaisedFlag]:
    """A triage vital that differs from the text's beyond the tolerance: the scores use triage."""
    flags = []
    for key, tolerance in DISAGREEMENT_TOLERANCE.items():
        measured, written = triage.get(key), findings.vitals.get(key)
        if measured is None or written is None or abs(measured - written) <= tolerance:
            continue
        label, unit = VITAL_LABELS[key]
        text = (f"{label}：预检 {_number(measured)} {unit}，文本 {_number(written)} {unit}，"
                "不一致；评分采用预检测量值，请核实")
        spans = tuple(findings.evidence.get(f"vitals:{key}", []))
        flags.append(RaisedFlag(f"vitals_disagree_{key}", text, spans, "check"))
    return flags


def red_flags(template: Template, findings: Findings, vitals: Mapping[str, float | None],
              triage: Mapping[str, float | None]) -> list[RaisedFlag]:
    """The template's flags first, then universal ones it lacks, then disagreements."""
    raised: list[RaisedFlag] = []
    seen_ids: set[str] = set()
    for flag in (*template.red_flags, *universal_flags()):
        if flag.id in seen_ids:
            continue
        found = _raised(flag, findings, vitals)
        if found is not None:
            raised.append(found)
            seen_ids.add(flag.id)
    return raised + disagreements(findings, triage)
