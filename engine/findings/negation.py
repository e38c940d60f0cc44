"""Negation and its scope, and questions that neither affirm nor deny.

A negation word (无, 否认, 未见, 不伴, 没有...) negates the findings that follow it, across
list separators (、 及 和 与 或 and spaces) and fillers (明显, 既往, 症状, 病史), up to the first
other word: a clause end, 但, 伴, 有 or anything that is not a finding. So 不伴发热及咳嗽 denies
both, 无明显诱因出现胸痛 denies nothing, and 没有 发烧 有 咳嗽 denies only the fever. A finding
followed by ``(-)``, 阴性 or, as structured records write it, ``：无`` (吸烟史：无) is negated
too. Words of a question (有无, 是否) open the same kind
of scope, whose findings are neither present nor absent.

Negation words inside a finding's own words (不能平卧, 不省人事) are not negations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.findings.text import View

NEGATOR = re.compile(r"否认|未见|未诉|未出现|未曾|不伴有|不伴|并无|没有|没|无|未|不")
QUESTION = re.compile(r"有无|有没有|是否|询问|待问|需问|待查")
# 不 negates only what follows it at once (不发热, 不吸烟): 不典型 is not a denial.
_BARE = frozenset({"不"})
START_FILLER = re.compile(
    r"(?:明显的?|任何|其他|其它|特殊|剧烈的?|伴随|出现过?|诉|自觉|感到|感觉|有过|有|过|曾经?|"
    r"既往|发生过?|再次?|什么|啥|相关|类似|[“\"'‘《\s])*"
)
BETWEEN = re.compile(
    r"(?:[、/\s“”\"'‘’《》]|及其他|以及|或者|及|和|与|或|并|也|亦|还|没有|没|无|未|等|症状|"
    r"病史|史|之|不适|发作|感|表现|情况)*"
)
POST = re.compile(
    r"\s*(?:\(\s*[-−–]\s*\)|\(阴性\)|阴性|[:：]\s*(?:无|否|否认|没有)(?=[,，。;；、\s]|$))"
)
# 否认胸痛时咯血: what is denied is what comes with the pain; the pain itself is only the
# moment being described, so it is neither denied nor affirmed by this clause.
WHEN = re.compile(r"(?:的时候|时候|之时|期间|发作时|时)")
# In a list (无呕吐、腹泻、发热) a word the vocabulary does not know does not end the scope.
LIST_SEPARATOR = re.compile(r"、|及|和|与|或|以及")
UNKNOWN_ITEM = re.compile(r"[^,，。;；!！?？\n:：、及和与或但伴有]{1,5}?(?:、|及|以及|和|与|或)")


@dataclass(frozen=True)
class Marked:
    """A span of the view a finding occupies."""

    start: int
    end: int


@dataclass(frozen=True)
class Scopes:
    """Which hits (by index) are negated or asked about, and the negation words' spans."""

    negated: frozenset[int]
    questioned: frozenset[int]
    negators: tuple[tuple[int, int], ...]


def _outside(start: int, end: int, taken: Sequence[Marked]) -> bool:
    return all(end <= hit.start or start >= hit.end for hit in taken)


def find_scopes(view: View, hits: Sequence[Marked]) -> Scopes:
    """Mark the hits that negation or question words reach."""
    by_start: dict[int, list[int]] = {}
    for index, hit in enumerate(hits):
        by_start.setdefault(hit.start, []).append(index)

    questions = [(m.start(), m.end()) for m in QUESTION.finditer(view.text)
                 if _outside(m.start(), m.end(), hits)]
    negators = [
        (m.start(), m.end()) for m in NEGATOR.finditer(view.text)
        if _outside(m.start(), m.end(), hits)
        and all(m.end() <= q[0] or m.start() >= q[1] for q in questions)
    ]

    questioned: set[int] = set()
    for _, end in questions:
        reached, moments = _walk(view, hits, by_start, end, bare=False)
        questioned.update(reached | moments)
    negated: set[int] = set()
    for start, end in negators:
        reached, moments = _walk(view, hits, by_start, end,
                                 bare=view.text[start:end] in _BARE)
        negated.update(reached)
        questioned.update(moments)
    for index, hit in enumerate(hits):
        if POST.match(view.text, hit.end):
            negated.add(index)
    return Scopes(frozenset(negated - questioned), frozenset(questioned), tuple(negators))


def _walk(view: View, hits: Sequence[Marked], by_start: dict[int, list[int]], position: int,
          *, bare: bool) -> tuple[set[int], set[int]]:
    """Hits reached from the end of a negation or question word, and the hits that only say
    when (胸痛 in 否认胸痛时咯血), which the scope passes over without reaching."""
    reached: set[int] = set()
    moments: set[int] = set()
    if not bare:
        position = START_FILLER.match(view.text, position).end()  # type: ignore[union-attr]
    while position in by_start:
        end = max(hits[i].end for i in by_start[position])
        here = {i for i, hit in enumerate(hits) if position <= hit.start < end}
        when = WHEN.match(view.text, end)
        after = START_FILLER.match(view.text, when.end()).end() if when else -1  # type: ignore[union-attr]
        if when and after in by_start:
            moments |= here
            position = after
            continue
        reached |= here
        position = BETWEEN.match(view.text, end).end()  # type: ignore[union-attr]
        if position not in by_start and LIST_SEPARATOR.search(view.text, end, position):
            skipped = UNKNOWN_ITEM.match(view.text, position)
            if skipped and skipped.end() in by_start:
                position = skipped.end()
    return reached, moments
