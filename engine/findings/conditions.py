"""Template conditions evaluated on findings: does a red flag hold, is a history item covered.

The condition language is defined (and parsed) in `prompts.templates`. Here it meets the
vocabulary: `check_template` lists the ids a template uses that the vocabulary or the scores do
not know, `holds` says whether a condition is true, and `covered` whether the findings answer it
either way (a denied symptom covers "symptom:fever" as well as a present one).
"""

from __future__ import annotations

from collections.abc import Mapping

from engine import scores
from engine.findings.mapping import arm_difference
from engine.findings.model import VITAL_KEYS, Findings, Span
from engine.findings.vocabulary import Vocabulary
from prompts.templates import Condition, Template

_VALUE_FIELDS = {
    "present": "symptom", "absent": "symptom", "symptom": "symptom", "onset": "onset",
    "course": "course", "character": "character", "location": "location",
    "radiation": "radiation", "aggravating": "aggravating", "relieving": "relieving",
    "history": "history", "history_denied": "history",
}
_BARE_FIELDS = {*_VALUE_FIELDS, "duration_minutes", "age", "sex"}
_NUMBER_KEYS = {"age", "duration_minutes", "arm_sbp_difference",
                *(f"vitals:{key}" for key in VITAL_KEYS)}


def check_template(template: Template, vocab: Vocabulary) -> list[str]:
    """What in the template the engine does not know (empty when it is usable)."""
    problems = [f"score {name!r} is not a score" for name in template.scores
                if name not in scores.names()]
    for condition in template.all_conditions():
        problem = check_condition(condition, vocab)
        if problem:
            problems.append(problem)
    return problems


def check_condition(condition: Condition, vocab: Vocabulary) -> str | None:
    key = condition.key
    if condition.op is not None:
        return None if key in _NUMBER_KEYS else f"{key!r} is not a number one can compare"
    if key in _NUMBER_KEYS:
        return None
    field, _, value = key.partition(":")
    if not value:
        return None if field in _BARE_FIELDS else f"{key!r} is not a findings field"
    if field == "sex":
        return None if value in ("male", "female") else f"{key!r}: sex is male or female"
    section = _VALUE_FIELDS.get(field)
    if section is None:
        return f"{key!r}: {field!r} is not a findings field"
    if value not in vocab.ids(section):
        return f"{key!r}: {value!r} is not a {section} id of the vocabulary"
    return None


def _number(key: str, findings: Findings, vitals: Mapping[str, float | None]) -> float | None:
    if key == "arm_sbp_difference":
        return arm_difference(vitals)
    if key.startswith("vitals:"):
        return vitals.get(key.removeprefix("vitals:"))
    value = getattr(findings, key, None)
    return float(value) if isinstance(value, int | float) else None


def _compare(value: float, op: str, number: float) -> bool:
    return {"<": value < number, "<=": value <= number, ">": value > number,
            ">=": value >= number, "==": value == number}[op]


def holds(condition: Condition, findings: Findings, vitals: Mapping[str, float | None]) -> bool:
    key = condition.key
    if condition.op is not None and condition.number is not None:
        number = _number(key, findings, vitals)
        return number is not None and _compare(number, condition.op, condition.number)
    field, _, value = key.partition(":")
    if field == "symptom":
        return value in findings.present
    if not value:
        return findings.knows(field)
    return findings.knows(key)


def covered(condition: Condition, findings: Findings,
            vitals: Mapping[str, float | None]) -> bool:
    """Whether the findings answer the condition's question, yes or no."""
    key = condition.key
    if condition.op is not None or key in _NUMBER_KEYS:
        return _number(key, findings, vitals) is not None
    field, _, value = key.partition(":")
    if field in ("present", "absent", "symptom"):
        return value in findings.present or value in findings.absent
    if field in ("history", "history_denied"):
        return value in findings.history or value in findings.history_denied
    if not value:
        return findings.knows(field) or any(k == field or k.startswith(f"{field}:")
                                            for k in findings.denied)
    return findings.knows(key) or key in findings.denied


def evidence_of(condition: Condition, findings: Findings) -> list[Span]:
    """The text spans behind a condition that holds (none for a triage-only value)."""
    key = condition.key
    if key == "arm_sbp_difference":
        keys = ["vitals:sbp_left", "vitals:sbp_right"]
    elif key.startswith("symptom:"):
        keys = [f"present:{key.removeprefix('symptom:')}"]
    elif ":" not in key:
        keys = [k for k in findings.evidence if k == key or k.startswith(f"{key}:")]
    else:
        keys = [key]
    return [span for k in keys for span in findings.evidence.get(k, [])]
