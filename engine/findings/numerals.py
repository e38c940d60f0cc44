"""Numbers as doctors type them and as Vosk writes them: 120, 37.2, 三, 四十, 一百二, 两.

``parse_number`` reads one token; ``NUMBER`` is the regular expression of a token, for use inside
larger patterns. Vague words (几, 数, 多) are not numbers: a duration of "数小时" stays unknown.
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_CHARS = "".join(_DIGITS) + "".join(_UNITS)

# One token: Arabic digits with an optional decimal part, or a run of Chinese numerals with an
# optional 点 decimal part (三十七点二).
NUMBER = rf"(?:\d+(?:\.\d+)?|[{CHINESE_CHARS}]+(?:点[{''.join(_DIGITS)}]+)?)"
_NUMBER_RE = re.compile(NUMBER)


def parse_number(token: str) -> float | None:
    """The value of ``token`` or None when it is not one well-formed number."""
    if not token:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    whole, _, fraction = token.partition("点")
    value = _parse_chinese_integer(whole)
    if value is None:
        return None
    if fraction:
        if not all(char in _DIGITS for char in fraction):
            return None
        digits = "".join(str(_DIGITS[char]) for char in fraction)
        return float(f"{value}.{digits}")
    return float(value)


def _parse_chinese_integer(token: str) -> int | None:
    if not token or not all(char in _DIGITS or char in _UNITS for char in token):
        return None
    if all(char in _DIGITS for char in token):
        # Digit by digit (一二零 = 120) or a single digit.
        return int("".join(str(_DIGITS[char]) for char in token))

    total = 0
    pending: int | None = None
    last_unit = 10_000
    for char in token:
        if char in _DIGITS:
            if pending is not None and _DIGITS[char] != 0 and pending != 0:
                return None  # two digits in a row inside a unit number: 三四十 is vague
            pending = _DIGITS[char]
            continue
        unit = _UNITS[char]
        if unit >= last_unit:
            return None  # 十百: units must fall
        total += (1 if pending is None else pending) * unit
        pending = None
        last_unit = unit
    if pending is not None:
        # 一百二 is colloquial for 120 and 三千五 for 3500: a bare trailing digit takes the
        # unit below the last one, unless a 零 came before it (一百零五 = 105).
        if last_unit >= 100 and not token.endswith(("零" + token[-1], "〇" + token[-1])):
            total += pending * (last_unit // 10)
        else:
            total += pending
    return total


def split_tokens(text: str, start: int, gaps: frozenset[int]) -> list[tuple[int, int]]:
    """Number tokens of ``text`` from ``start``, cut where the original text had a space."""
    spans = []
    for match in _NUMBER_RE.finditer(text, start):
        begin = match.start()
        for cut in sorted(g for g in gaps if match.start() < g < match.end()):
            spans.append((begin, cut))
            begin = cut
        spans.append((begin, match.end()))
    return spans
