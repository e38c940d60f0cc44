"""`assess`: from a text (plus a template and triage vitals) to findings, scores, questions,
red flags and the risk level, with no language model.

Triage vitals (预检带入) are measured; where they and the text disagree the triage value feeds
the scores and the disagreement is listed as a red flag of level "check".
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from engine import scores
from engine.findings.conditions import check_template
from engine.findings.errors import (
    InvalidFindingsInput,
    InvalidText,
    InvalidVitals,
    UnknownTemplateId,
)
from engine.findings.extractor import extract
from engine.findings.mapping import ScoreInputs, score_inputs
from engine.findings.measures import VITAL_RANGES
from engine.findings.model import VITAL_KEYS, Findings
from engine.findings.questions import Question, rank_questions
from engine.findings.redflags import RaisedFlag, red_flags
from engine.findings.risk import risk_level
from engine.findings.vocabulary import vocabulary
from engine.home import sub_folder
from engine.scores import ScoreInputError, ScoreResult
from prompts.templates import Template, TemplateError, UnknownTemplate, load_template

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 20_000
DEFAULT_TEMPLATE = "chest_pain_general"


@dataclass(frozen=True)
class Assessment:
    """Everything the rules engine says about one case."""

    text: str
    template: Template
    findings: Findings
    triage: dict[str, float]
    vitals: dict[str, float | None]
    inputs: dict[str, ScoreInputs]
    scores: dict[str, ScoreResult]
    questions: tuple[Question, ...]
    red_flags: tuple[RaisedFlag, ...]
    risk_level: str | None
    now: datetime

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``sentinel assess``."""
        return {
            "findings": self.findings.to_dict(),
            "scores": {name: result.to_dict() for name, result in self.scores.items()},
            "questions": [question.to_dict() for question in self.questions],
            "red_flags": [flag.to_dict() for flag in self.red_flags],
            "risk_level": self.risk_level,
        }


def check_vitals(vitals: Mapping[str, Any] | None) -> dict[str, float]:
    """Triage vitals as numbers; unknown keys, wrong types and implausible values are errors."""
    if vitals is None:
        return {}
    if not isinstance(vitals, Mapping):
        raise InvalidVitals("vitals must be a JSON object, like {\"hr\": 88, \"sbp\": 130}")
    checked: dict[str, float] = {}
    for key, value in vitals.items():
        if key not in VITAL_KEYS:
            raise InvalidVitals(f"vitals: unknown key {key!r}; use {', '.join(VITAL_KEYS)}")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            shown = json.dumps(value, ensure_ascii=False)[:40]
            raise InvalidVitals(f"vitals.{key}: expected a number, got {shown}")
        low, high = VITAL_RANGES[key]
        if not low <= value <= high:
            raise InvalidVitals(f"vitals.{key}: {value} is outside the plausible {low:g}-{high:g}")
        checked[key] = int(value) if float(value).is_integer() else float(value)
    return checked


def resolve_template(template_id: str | None, personal_folder: Path | None = None) -> Template:
    """A public template, or one of the doctor's own; checked against the vocabulary."""
    folder = sub_folder("templates") if personal_folder is None else personal_folder
    try:
        template = load_template(template_id or DEFAULT_TEMPLATE, folder)
    except UnknownTemplate as exc:
        raise UnknownTemplateId(str(exc)) from None
    except TemplateError as exc:
        raise InvalidFindingsInput(f"template {template_id!r} is malformed: {exc}") from None
    problems = check_template(template, vocabulary())
    if problems:
        raise InvalidFindingsInput(f"template {template.id!r}: {'; '.join(problems)}")
    return template


def _compute(name: str, inputs: dict[str, Any]) -> tuple[dict[str, Any], ScoreResult]:
    """The score, leaving out an input it refuses (an age under EDACS's 18, say)."""
    inputs = dict(inputs)
    for _ in range(len(inputs) + 1):
        try:
            return inputs, scores.compute(name, inputs)
        except ScoreInputError as exc:
            refused = str(exc).split(":", 1)[0].removeprefix(f"{name}.")
            if refused not in inputs:
                raise
            log.debug("score %s refused input %s; leaving it out", name, refused)
            del inputs[refused]
    raise AssertionError("unreachable: every input was refused")


def assess(text: str, template: str | None = None, vitals: Mapping[str, Any] | None = None,
           now: datetime | None = None, *, personal_folder: Path | None = None) -> Assessment:
    """Assess one case. ``now`` (default: the current time) reads clock times of onset.

    The risk level is None when neither the text nor triage gives anything to judge by."""
    if not isinstance(text, str):
        raise InvalidText(f"text must be a string, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidText(f"text has {len(text)} characters, more than {MAX_TEXT_CHARS};"
                          " shorten it")
    triage = check_vitals(vitals)
    chosen = resolve_template(template, personal_folder)
    now = datetime.now().astimezone() if now is None else now

    return _from_findings(text, chosen, extract(text, now=now), triage, now)


def rescore(assessment: Assessment, findings: Findings) -> Assessment:
    """The same case assessed again from other findings (the rules' merged with a model's):
    same text, template, triage vitals and time; new scores, questions, flags and level."""
    return _from_findings(assessment.text, assessment.template, findings, assessment.triage,
                          assessment.now)


def _from_findings(text: str, chosen: Template, findings: Findings, triage: dict[str, float],
                   now: datetime) -> Assessment:
    effective: dict[str, float | None] = {**findings.vitals, **triage}

    inputs: dict[str, ScoreInputs] = {}
    results: dict[str, ScoreResult] = {}
    for name in chosen.scores:
        mapped = score_inputs(name, findings, effective)
        used, result = _compute(name, mapped.values)
        inputs[name] = ScoreInputs(used, {k: v for k, v in mapped.sources.items() if k in used})
        results[name] = result

    flags = red_flags(chosen, findings, effective, triage)
    questions = rank_questions(
        chosen, findings, effective,
        {name: (inputs[name].values, result) for name, result in results.items()})
    return Assessment(
        text=text, template=chosen, findings=findings, triage=triage, vitals=effective,
        inputs=inputs, scores=results, questions=tuple(questions), red_flags=tuple(flags),
        risk_level=risk_level(results, flags) if findings.evidence or triage else None,
        now=now,
    )
