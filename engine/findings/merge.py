"""Merging a language model's extraction into the rules' findings.

The model reports findings as items ``{"field", "value", "quote"}``, where ``quote`` copies the
words of the input that say it. A model finding is kept only when its quote occurs in the text
(exactly, or once both are normalised as the extractor reads them); the quote's span becomes the
finding's evidence. Anything else is dropped and logged at DEBUG, with the field and the reason
but never the patient's words. The model adds; it never takes away: a rules finding with
evidence stays, and a model item that contradicts one (absent where the rules found present, a
different age) is dropped.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from engine.findings.measures import VITAL_RANGES
from engine.findings.model import VITAL_KEYS, Findings, Span
from engine.findings.numerals import parse_number
from engine.findings.text import normalise
from engine.findings.vocabulary import vocabulary

log = logging.getLogger(__name__)

MAX_ITEMS = 40
MAX_QUOTE = 60
MAX_VALUE = 32
MIN_QUOTE = 2

# Findings field -> vocabulary section whose ids are its values.
ID_FIELDS = {"present": "symptom", "absent": "symptom", "onset": "onset", "course": "course",
             "character": "character", "location": "location", "radiation": "radiation",
             "aggravating": "aggravating", "relieving": "relieving", "history": "history",
             "history_denied": "history"}
NUMBER_FIELDS = {"duration_minutes": (1, 100 * 525600), "age": (0, 130),
                 **{key: VITAL_RANGES[key] for key in VITAL_KEYS}}
OPPOSITE = {"present": "absent", "absent": "present", "history": "history_denied",
            "history_denied": "history"}
FIELDS = (*ID_FIELDS, "sex", *NUMBER_FIELDS)


def extraction_schema() -> dict[str, Any]:
    """The JSON schema the model reports its findings in (lengths bounded, so generation ends)."""
    vocab = vocabulary()
    values = {field: list(vocab.ids(section)) for field, section in ID_FIELDS.items()}
    guide = "; ".join(f"{field}: {'|'.join(ids)}" for field, ids in values.items())
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["findings"],
        "properties": {
            "findings": {
                "type": "array",
                "maxItems": MAX_ITEMS,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["field", "value", "quote"],
                    "properties": {
                        "field": {"type": "string", "enum": list(FIELDS)},
                        "value": {
                            "type": "string", "minLength": 1, "maxLength": MAX_VALUE,
                            "description": "an id for the field (" + guide + "), male|female "
                                           "for sex, or a number (minutes, years, vital sign)",
                        },
                        "quote": {
                            "type": "string", "minLength": MIN_QUOTE, "maxLength": MAX_QUOTE,
                            "description": "the input's own words that say it, copied exactly",
                        },
                    },
                },
            },
        },
    }


def _value(field: str, raw: str) -> str | int | float | None:
    """The item's value in its field's type, or None when it is not a valid value."""
    if field in ID_FIELDS:
        return raw if raw in vocabulary().ids(ID_FIELDS[field]) else None
    if field == "sex":
        return raw if raw in ("male", "female") else None
    number = parse_number(raw.strip())
    low, high = NUMBER_FIELDS[field]
    if number is None or not low <= number <= high:
        return None
    if field in ("duration_minutes", "age"):
        return int(number) if number == int(number) else None
    return int(number) if number == int(number) else number


def find_quote(quote: str, text: str) -> Span | None:
    """Where the quote is in the text: exactly, else as the normalised views read them."""
    at = text.find(quote)
    if at >= 0:
        return (at, at + len(quote))
    needle = normalise(quote).text
    if len(needle) < MIN_QUOTE:
        return None
    view = normalise(text)
    at = view.text.find(needle)
    return view.span(at, at + len(needle)) if at >= 0 else None


def _drop(index: int, field: object, reason: str) -> None:
    log.debug("dropped model finding #%d (field %s): %s", index, field, reason)


def merge(rules: Findings, model_items: list[dict[str, Any]], text: str) -> Findings:
    """The rules' findings plus the model's items that its quotes support."""
    merged = copy.deepcopy(rules)
    if not isinstance(model_items, list):
        _drop(-1, None, "the model's findings are not a list")
        return merged

    for index, item in enumerate(model_items[:MAX_ITEMS]):
        if not isinstance(item, dict) or not all(
                isinstance(item.get(key), str) for key in ("field", "value", "quote")):
            _drop(index, None, "not an object with text field, value and quote")
            continue
        field, quote = item["field"], item["quote"]
        if field not in FIELDS:
            _drop(index, "?", "unknown field")
            continue
        value = _value(field, item["value"])
        if value is None:
            _drop(index, field, "value not valid for the field")
            continue
        if len(quote.strip()) < MIN_QUOTE or len(quote) > MAX_QUOTE:
            _drop(index, field, "quote too short or too long")
            continue
        span = find_quote(quote, text)
        if span is None:
            _drop(index, field, "quote does not occur in the text")
            continue
        if not _apply(merged, field, value, span):
            _drop(index, field, "contradicts a rules finding that has evidence")
    return merged


def _apply(findings: Findings, field: str, value: str | int | float, span: Span) -> bool:
    """Add one supported item; False when a rules finding with evidence says otherwise."""
    if field in ID_FIELDS and field not in ("onset", "course"):
        assert isinstance(value, str)
        opposite = OPPOSITE.get(field)
        if opposite and findings.evidence.get(f"{opposite}:{value}"):
            return False
        values: list[str] = getattr(findings, field)
        if value not in values:
            values.append(value)
        findings.add_evidence(f"{field}:{value}", span)
        return True

    if field in ("onset", "course", "sex"):
        key = f"{field}:{getattr(findings, field)}" if field != "sex" else "sex"
        current = getattr(findings, field)
        if current is not None and current != value and findings.evidence.get(key):
            return False
        setattr(findings, field, value)
        findings.add_evidence(f"{field}:{value}" if field != "sex" else "sex", span)
        return True

    key = f"vitals:{field}" if field in VITAL_KEYS else field
    current = findings.vitals.get(field) if field in VITAL_KEYS else getattr(findings, field)
    if current is not None and current != value and findings.evidence.get(key):
        return False
    if field in VITAL_KEYS:
        assert not isinstance(value, str)
        findings.vitals[field] = value
    else:
        setattr(findings, field, value)
    findings.add_evidence(key, span)
    return True
