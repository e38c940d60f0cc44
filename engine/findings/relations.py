"""Findings that depend on the words around them: radiation targets and family history.

Radiation: a body part is a radiation target only next to 放射 / 牵涉 / 窜 (向左上肢放射,
放射至后背, 往 下巴 放射, 左肩放射痛), in a list (向左肩及左上肢放射). A negation before the
marker or the word itself (不向他处放射, 无放射) says the pain does not radiate.

Family history: after a relative (父亲, 母亲, 家族中...) up to the clause end or a word that
turns back to the patient (患者, 既往), a coronary event is the relative's (父亲55岁时心梗), and
any disease named there is not the patient's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.findings.model import FamilyEvent, Span
from engine.findings.numerals import NUMBER, parse_number
from engine.findings.text import View
from engine.findings.vocabulary import Vocabulary

ANCHOR = re.compile(r"放射|牵涉|牵扯|窜|串|传导|扩散|延伸|蔓延|连及|(?<=[痛疼])(?:到|至)")
_AFTER_ANCHOR = re.compile(r"(?:性疼痛|性痛|痛|疼|性)?(?:至|到|向|于|达|及)?")
_BEFORE_MARKER = re.compile(r"向|往|朝|至|到")
_TARGET_TAIL = re.compile(r"(?:部位|部|处|侧|方向|那边|这边|一带|附近|内侧|外侧)?")
_TARGET_SEP = re.compile(r"(?:、|及|和|与|以及|或|并|,)")
_NEGATED_BEFORE = re.compile(r"(?:无明显|无|不伴有|不伴|不|未|没有|没|并无|否认)$")
_LOOK_BACK = 14


@dataclass(frozen=True)
class Target:
    id: str
    start: int
    end: int


@dataclass(frozen=True)
class Radiation:
    """Targets found (id, target span, anchor span) and spans that deny any radiation."""

    found: tuple[tuple[str, Span, Span], ...]
    denied: tuple[Span, ...]
    used: tuple[Span, ...]


def target_hits(view: View, vocab: Vocabulary) -> list[Target]:
    hits: list[Target] = []
    for term in vocab.of("radiation"):
        for matcher in term.matchers:
            hits.extend(Target(term.id, m.start(), m.end()) for m in matcher.finditer(view.text))
    return hits


def _targets_at(position: int, by_start: dict[int, list[Target]]) -> list[Target]:
    candidates = by_start.get(position, [])
    if not candidates:
        return []
    longest = max(t.end for t in candidates)
    return [t for t in candidates if t.end == longest]


def _target_list(view: View, position: int, limit: int,
                 by_start: dict[int, list[Target]]) -> tuple[list[Target], int]:
    """Targets listed from ``position`` (左肩及左上肢), and where the list ends."""
    found: list[Target] = []
    while position < limit:
        here = _targets_at(position, by_start)
        if not here:
            break
        found.extend(here)
        position = _TARGET_TAIL.match(view.text, here[0].end).end()  # type: ignore[union-attr]
        separator = _TARGET_SEP.match(view.text, position)
        if separator and _targets_at(separator.end(), by_start):
            position = separator.end()
        else:
            break
    return found, position


def find_radiation(view: View, vocab: Vocabulary) -> Radiation:
    by_start: dict[int, list[Target]] = {}
    for target in target_hits(view, vocab):
        by_start.setdefault(target.start, []).append(target)

    found: list[tuple[str, Span, Span]] = []
    denied: list[Span] = []
    used: list[Span] = []
    for anchor in ANCHOR.finditer(view.text):
        clause_start, clause_end = view.clause_bounds(anchor.start())
        anchor_span = view.span(anchor.start(), anchor.end())

        targets = _before_anchor(view, anchor.start(), clause_start, by_start)
        after = _AFTER_ANCHOR.match(view.text, anchor.end()).end()  # type: ignore[union-attr]
        more, _ = _target_list(view, after, clause_end, by_start)
        targets += more

        negation = _negation(view, anchor.start(), clause_start)
        if negation is not None:
            denied.append(view.span(negation, anchor.end()))
            continue
        for target in targets:
            span = view.span(target.start, target.end)
            found.append((target.id, span, anchor_span))
            used.append((target.start, target.end))
    return Radiation(tuple(found), tuple(denied), tuple(used))


def _before_anchor(view: View, anchor: int, clause_start: int,
                   by_start: dict[int, list[Target]]) -> list[Target]:
    """Targets before the anchor: after 向/往/至 (向左肩及左上肢放射) or right before it."""
    window_start = max(clause_start, anchor - _LOOK_BACK)
    markers = list(_BEFORE_MARKER.finditer(view.text, window_start, anchor))
    for marker in reversed(markers):
        targets, end = _target_list(view, marker.end(), anchor, by_start)
        if targets and anchor - end <= 2:
            return targets
    for start in range(max(window_start, anchor - 6), anchor):
        targets, end = _target_list(view, start, anchor, by_start)
        if targets and anchor - end <= 1:
            return targets
    return []


def _negation(view: View, anchor: int, clause_start: int) -> int | None:
    """Where a negation of this radiation starts (无放射, 不向他处放射), if there is one."""
    window_start = max(clause_start, anchor - _LOOK_BACK)
    places = [anchor, *(m.start() for m in _BEFORE_MARKER.finditer(view.text, window_start,
                                                                   anchor))]
    for place in places:
        before = max(clause_start, place - 4)
        found = _NEGATED_BEFORE.search(view.text[before:place])
        if found:
            return before + found.start()
    return None


@dataclass(frozen=True)
class FamilyContext:
    events: tuple[tuple[FamilyEvent, Span], ...]
    denied: tuple[Span, ...]
    windows: tuple[tuple[int, int], ...]


_AGE = re.compile(rf"({NUMBER})(?:余|多)?岁")
_NEGATION_BEFORE_EVENT = re.compile(r"(?:无|没有|没|否认|未)[^,，。;；\n]{0,2}$")


def find_family(view: View, vocab: Vocabulary) -> FamilyContext:
    family = vocab.family
    relatives = re.compile("|".join(re.escape(word) for word in family.relatives))
    coronary = re.compile("|".join(
        re.escape(word) for word in sorted(family.coronary, key=len, reverse=True)))
    stop = re.compile("|".join(re.escape(word) for word in family.stop))

    events: list[tuple[FamilyEvent, Span]] = []
    denied: list[Span] = []
    windows: list[tuple[int, int]] = []
    for relative in relatives.finditer(view.text):
        word = relative.group(0)
        _, clause_end = view.clause_bounds(relative.start())
        limit = min(clause_end, relative.end() + 20)
        turn = stop.search(view.text, relative.end(), limit)
        end = turn.start() if turn else limit
        windows.append((relative.start(), end))

        event = coronary.search(view.text, relative.end(), end)
        if event is None:
            continue
        span = view.span(relative.start(), event.end())
        if _NEGATION_BEFORE_EVENT.search(view.text[relative.end():event.start()]):
            denied.append(span)
            continue
        age_match = _AGE.search(view.text, relative.end(), end)
        age = parse_number(age_match.group(1)) if age_match else None
        sex = "male" if word in family.male else "female" if word in family.female else None
        first = True if word in family.first_degree else None if word in family.unspecified \
            else False
        events.append((FamilyEvent(sex, first, int(age) if age is not None else None), span))
    return FamilyContext(tuple(events), tuple(denied), tuple(windows))
