"""The rule-based extractor: Chinese ED text in, `Findings` with character spans out.

Steps: normalise the text (see `text`), find every vocabulary word, drop words inside longer
words of the same kind, read radiation and family history from the words around them, mark
negation and question scopes, then decide each field; numbers (vitals, duration, age, sex) come
last because their context (a history word before a duration, a relative before an age)
depends on the words found. Every reported value keeps the spans of the words behind it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from engine.findings.measures import (
    Duration,
    find_age,
    find_clock_onset,
    find_durations,
    find_sex,
    find_vitals,
)
from engine.findings.model import FamilyEvent, Findings, Span
from engine.findings.negation import Marked, find_scopes
from engine.findings.relations import FamilyContext, Radiation, find_family, find_radiation
from engine.findings.text import View, normalise
from engine.findings.vocabulary import Term, Vocabulary, vocabulary

log = logging.getLogger(__name__)

# Fields whose words may sit inside a longer word of another id of the same field and then
# belong to it (冠心病 inside 冠心病家族史). Symptoms may overlap freely: 胸闷痛 is both.
_NESTING_FIELDS = frozenset({"onset", "course", "character", "location", "aggravating",
                             "relieving", "history"})
_DENIAL_AFTER = re.compile(
    r"[^,，。;；\n]{0,3}?(?:无关|无明显关系|无明显相关|不相关|无变化|不加重|无加重|未加重|不明显)"
)
_NON_DURATION_BEFORE = re.compile(r"(?:病史|史|药|服用|口服|烟龄|饮酒|每次|每回|每)$")


@dataclass(frozen=True)
class Hit(Marked):
    """One occurrence of a vocabulary word: which term, and whether it affirms or denies."""

    field: str
    id: str
    polarity: str  # "pos" (the word says it), "neg" (可平卧), "unknown" (戒烟)


def extract(text: str, vocab: Vocabulary | None = None, now: datetime | None = None) -> Findings:
    """Read the findings of ``text``. Never raises on odd input: unreadable text finds nothing.

    With ``now``, a clock time of onset (今晨7点开始) gives the duration when no duration is
    written."""
    vocab = vocabulary() if vocab is None else vocab
    view = normalise(text)
    findings = Findings()

    hits = _resolve(list(_term_hits(view, vocab)))
    radiation = find_radiation(view, vocab)
    family = find_family(view, vocab)
    hits = [hit for hit in hits if not _inside_any(hit, family.windows) or hit.field != "history"]
    hits = [hit for hit in hits
            if not (hit.field == "location" and _overlaps_any(hit, radiation.used))]
    scopes = find_scopes(view, hits)

    _decide_terms(findings, view, vocab, hits, scopes.negated, scopes.questioned)
    _decide_radiation(findings, radiation)
    _decide_family(findings, family, "早发" in view.text)
    _decide_healthy(findings, view, vocab, hits)
    _decide_numbers(findings, view, hits, family.windows, now)
    log.debug("extracted %d present, %d absent, %d history findings",
              len(findings.present), len(findings.absent), len(findings.history))
    return findings


def _term_hits(view: View, vocab: Vocabulary) -> Iterable[Hit]:
    for term in vocab.terms:
        if term.field == "radiation":
            continue  # radiation targets count only next to 放射 (see relations)
        for matcher in term.matchers:
            for match in matcher.finditer(view.text):
                if match.end() > match.start() and _allowed(view, term, match):
                    yield Hit(match.start(), match.end(), term.field, term.id, "pos")
        for polarity, matcher_or_none in (("neg", term.negative), ("unknown", term.unknown)):
            if matcher_or_none is None:
                continue
            for match in matcher_or_none.finditer(view.text):
                yield Hit(match.start(), match.end(), term.field, term.id, polarity)


def _allowed(view: View, term: Term, match: re.Match[str]) -> bool:
    text, start, end = view.text, match.start(), match.end()
    return not any(text.endswith(word, 0, start) for word in term.not_after) and \
        not any(text.startswith(word, end) for word in term.not_before)


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Drop words inside a longer word of the same id, or of the same nesting field."""
    kept: list[Hit] = []
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    for hit in ordered:
        inner = any(
            other is not hit
            and other.field == hit.field
            and other.start <= hit.start and hit.end <= other.end
            and (other.end - other.start) > (hit.end - hit.start)
            and (other.id == hit.id or hit.field in _NESTING_FIELDS)
            for other in ordered
        )
        duplicate = any(k.field == hit.field and k.id == hit.id and k.start == hit.start
                        and k.end == hit.end for k in kept)
        if not inner and not duplicate:
            kept.append(hit)
    kept.sort(key=lambda h: (h.start, h.end))
    return kept


def _inside_any(hit: Hit, windows: Iterable[tuple[int, int]]) -> bool:
    return any(start <= hit.start and hit.end <= end for start, end in windows)


def _overlaps_any(hit: Hit, spans: Iterable[tuple[int, int]]) -> bool:
    return any(hit.start < end and start < hit.end for start, end in spans)


def _append(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def _decide_terms(findings: Findings, view: View, vocab: Vocabulary, hits: list[Hit],
                  negated: frozenset[int], questioned: frozenset[int]) -> None:
    affirmed: dict[tuple[str, str], list[Span]] = {}
    denied: dict[tuple[str, str], list[Span]] = {}
    unknown: set[tuple[str, str]] = set()
    order: list[tuple[str, str]] = []

    for index, hit in enumerate(hits):
        if index in questioned:
            continue
        key = (hit.field, hit.id)
        span = view.span(hit.start, hit.end)
        if key not in order:
            order.append(key)
        if hit.polarity == "unknown":
            unknown.add(key)
        elif (hit.polarity == "neg") != (index in negated) or \
                (hit.field == "aggravating" and _DENIAL_AFTER.match(view.text, hit.end)):
            denied.setdefault(key, []).append(span)
        else:
            affirmed.setdefault(key, []).append(span)

    for key in order:
        field, value = key
        if key in unknown and field == "history":
            continue  # 戒烟: whether the patient still smokes is a question, not a finding
        if key in affirmed:
            _report(findings, field, value, affirmed[key])
        elif key in denied:
            _report_denied(findings, field, value, denied[key])


def _report(findings: Findings, field: str, value: str, spans: list[Span]) -> None:
    if field == "symptom":
        _append(findings.present, value)
        out_key = f"present:{value}"
    elif field in ("onset", "course"):
        current = getattr(findings, field)
        # A sudden onset and a persistent course outrank the other value: they matter more.
        if current is None or value in ("sudden", "persistent"):
            setattr(findings, field, value)
        out_key = f"{field}:{value}"
    else:
        _append(getattr(findings, field), value)
        out_key = f"{field}:{value}"
    for span in spans:
        findings.add_evidence(out_key, span)


def _report_denied(findings: Findings, field: str, value: str, spans: list[Span]) -> None:
    if field == "symptom":
        _append(findings.absent, value)
        out_key = f"absent:{value}"
    elif field == "history":
        _append(findings.history_denied, value)
        out_key = f"history_denied:{value}"
    else:
        # 无压痛, 与呼吸无关: not reported, but the scores may use the denial.
        for span in spans:
            findings.denied.setdefault(f"{field}:{value}", []).append(span)
        return
    for span in spans:
        findings.add_evidence(out_key, span)


def _decide_radiation(findings: Findings, radiation: Radiation) -> None:
    for target, span, anchor in radiation.found:
        _append(findings.radiation, target)
        findings.add_evidence(f"radiation:{target}", span)
        findings.add_evidence(f"radiation:{target}", anchor)
    if radiation.denied and not radiation.found:
        findings.denied["radiation"] = list(radiation.denied)


def _decide_family(findings: Findings, family: FamilyContext, premature_said: bool) -> None:
    for event, span in family.events:
        findings.family.append(event)
        if "family_history_cad" in findings.history_denied:
            findings.history_denied.remove("family_history_cad")
        _append(findings.history, "family_history_cad")
        findings.add_evidence("history:family_history_cad", span)
    if family.denied and "family_history_cad" not in findings.history:
        _append(findings.history_denied, "family_history_cad")
        for span in family.denied:
            findings.add_evidence("history_denied:family_history_cad", span)
    if "family_history_cad" in findings.history and not family.events:
        # Named as 冠心病家族史 without the relative: the scores ask who and at what age,
        # unless the text calls it premature (早发冠心病家族史).
        findings.family.append(FamilyEvent(None, None, None, premature_stated=premature_said))


def _decide_healthy(findings: Findings, view: View, vocab: Vocabulary, hits: list[Hit]) -> None:
    """既往体健 denies the listed diseases that the text does not name as present."""
    if not vocab.healthy_phrases:
        return
    pattern = re.compile("|".join(re.escape(p) for p in vocab.healthy_phrases))
    spans = [view.span(m.start(), m.end()) for m in pattern.finditer(view.text)]
    if not spans:
        return
    findings.previously_healthy = True
    for disease in vocab.healthy_denies:
        if disease in findings.history:
            continue
        _append(findings.history_denied, disease)
        for span in spans:
            findings.add_evidence(f"history_denied:{disease}", span)


def _decide_numbers(findings: Findings, view: View, hits: list[Hit],
                    family_windows: tuple[tuple[int, int], ...], now: datetime | None) -> None:
    readings = find_vitals(view)
    taken = [(r.start, r.end) for r in readings]
    for reading in readings:
        if findings.vitals.get(reading.key) is None:
            value = reading.value
            findings.vitals[reading.key] = int(value) if value == int(value) else value
            findings.add_evidence(f"vitals:{reading.key}", view.span(reading.start, reading.end))

    duration = _complaint_duration(view, hits, taken, family_windows)
    if duration is None and now is not None:
        duration = find_clock_onset(view, now)
    if duration is not None:
        findings.duration_minutes = duration.minutes
        findings.add_evidence("duration_minutes", view.span(duration.start, duration.end))

    age = find_age(view, [*family_windows, *taken])
    if age is not None:
        assert isinstance(age.value, int)
        findings.age = age.value
        findings.add_evidence("age", view.span(age.start, age.end))
    sex = find_sex(view, family_windows)
    if sex is not None:
        assert isinstance(sex.value, str)
        findings.sex = sex.value
        findings.add_evidence("sex", view.span(sex.start, sex.end))

    swelling = findings.evidence.get("present:leg_swelling")
    if swelling:
        findings.leg_swelling_side = _side(view, hits)


def _side(view: View, hits: list[Hit]) -> str | None:
    """Whether a leg swelling is one-sided (左小腿肿) or both (双下肢水肿), when the text says."""
    sides = set()
    for hit in hits:
        if hit.field == "symptom" and hit.id == "leg_swelling" and hit.polarity == "pos":
            around = view.text[max(0, hit.start - 3):hit.end]
            if re.search(r"双|两", around):
                sides.add("bilateral")
            elif re.search(r"左|右|单侧|一侧", around):
                sides.add("unilateral")
    return sides.pop() if len(sides) == 1 else None


def _complaint_duration(view: View, hits: list[Hit], taken: list[tuple[int, int]],
                        family_windows: tuple[tuple[int, int], ...]) -> Duration | None:
    """The duration of the complaint: the first one tied to a symptom, not to a history.

    A duration right after a disease, a drug or a habit (高血压病史15年, 口服避孕药2年,
    吸烟20年) is that history's, one inside a history word is the history's (术后3天), and an
    episode's length (每次数分钟) is not the complaint's.
    """
    candidates: list[tuple[bool, Duration]] = []
    for duration in find_durations(view):
        if any(a <= duration.start < b for a, b in [*taken, *family_windows]):
            continue
        if any(h.field == "history" and h.start <= duration.start < h.end for h in hits):
            continue
        clause_start, clause_end = view.clause_bounds(duration.start)
        before_text = view.text[clause_start:duration.start]
        if _NON_DURATION_BEFORE.search(before_text) or "每次" in before_text:
            continue
        nearest = _nearest_before(hits, clause_start, duration.start)
        if nearest is not None and nearest.field == "history":
            continue
        tied = (nearest is not None and nearest.field == "symptom") or any(
            h.field == "symptom" and clause_start <= h.start < clause_end for h in hits)
        candidates.append((tied, duration))
    tied_ones = [d for tied, d in candidates if tied]
    if tied_ones:
        return tied_ones[0]
    return candidates[0][1] if candidates else None


def _nearest_before(hits: list[Hit], clause_start: int, position: int) -> Hit | None:
    """The symptom or history word that ends closest before ``position`` in its clause."""
    best: Hit | None = None
    for hit in hits:
        if hit.field not in ("symptom", "history") or hit.polarity != "pos":
            continue
        inside = clause_start <= hit.start and hit.end <= position
        if inside and (best is None or hit.end > best.end):
            best = hit
    return best
