"""A normalised view of the input text that keeps the way back to the original characters.

Doctors type full-width digits and punctuation, Vosk writes a space between every word, and both
mix upper and lower case Latin abbreviations (BP, SpO2). The extractor matches on a view where:

- each character is NFKC-folded when that gives exactly one character (full-width ``１２０`` and
  ``，`` become ``120`` and ``,``; ``℃`` stays, since NFKC would make it two characters),
- ASCII letters are lower-cased,
- whitespace next to a CJK character is dropped (``两 个 小时`` reads ``两个小时``) and other
  whitespace runs collapse to one space,
- control, format and zero-width characters are dropped.

Every view character remembers the index of the original character it came from, so a match
``[start, end)`` in the view maps back to a half-open code-point range of the text as given.
``gaps`` records the view positions where whitespace was removed: numbers never run across them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Clause ends: a negation never reaches past one, nor does a duration or family-history context.
CLAUSE_END = frozenset(",，。;；!！?？\n\r:：")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def is_cjk(char: str) -> bool:
    """A CJK ideograph or CJK punctuation (where Chinese words need no spaces)."""
    code = ord(char)
    return (
        0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFF65
        or 0x20000 <= code <= 0x2FA1F
    )


def _fold(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        return char
    return folded.lower() if folded.isascii() else folded


@dataclass(frozen=True)
class View:
    """The normalised text, and for each of its characters the original index."""

    source: str
    text: str
    origin: tuple[int, ...]
    gaps: frozenset[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original half-open range behind view characters ``[start, end)``."""
        if end <= start:
            anchor = self.origin[start] if start < len(self.origin) else len(self.source)
            return (anchor, anchor)
        return (self.origin[start], self.origin[end - 1] + 1)

    def clause_bounds(self, position: int) -> tuple[int, int]:
        """The clause ``[start, end)`` of the view that holds ``position``."""
        start = position
        while start > 0 and not self.is_clause_end(start - 1):
            start -= 1
        end = position
        while end < len(self.text) and not self.is_clause_end(end):
            end += 1
        return start, end

    def is_clause_end(self, index: int) -> bool:
        char = self.text[index]
        if char == ".":
            # A full stop, unless it is a decimal point (37.2).
            before = self.text[index - 1] if index > 0 else ""
            after = self.text[index + 1] if index + 1 < len(self.text) else ""
            return not (before.isdigit() and after.isdigit())
        return char in CLAUSE_END


def normalise(source: str) -> View:
    """Build the view of ``source``; see the module docstring for what changes."""
    chars: list[str] = []
    origin: list[int] = []
    gaps: set[int] = set()
    pending_space: int | None = None

    for index, raw in enumerate(source):
        is_break = raw in "\n\r\u2028\u2029"
        if raw.isspace() and not is_break:
            if pending_space is None:
                pending_space = index
            continue
        if not is_break and unicodedata.category(raw) in _DROPPED_CATEGORIES:
            continue
        # A line break ends a clause, so it stays (as one "\n") instead of being dropped.
        char = "\n" if is_break else _fold(raw)
        if pending_space is not None and chars and char != "\n" and chars[-1] != "\n":
            if is_cjk(chars[-1]) or is_cjk(char):
                gaps.add(len(chars))
            else:
                chars.append(" ")
                origin.append(pending_space)
        pending_space = None
        chars.append(char)
        origin.append(index)

    return View(source, "".join(chars), tuple(origin), frozenset(gaps))


def finditer(pattern: re.Pattern[str], view: View) -> list[tuple[int, int, re.Match[str]]]:
    """All non-empty matches of ``pattern`` in the view as ``(start, end, match)``."""
    return [(m.start(), m.end(), m) for m in pattern.finditer(view.text) if m.end() > m.start()]
