"""Reading the model's narrative while it streams: each text field as far as it has arrived.

The box answers one JSON object (`ModelNarrative`); the panel shows each section as soon as its
first characters arrive instead of waiting for the closing brace. This parser reads the
prefix received so far and returns, for every top-level string field it has seen, the text so
far and whether its closing quote has come. Arrays and nested objects are skipped. It never
raises on a prefix: an incomplete escape at the end is simply left for the next piece.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t"}


@dataclass(frozen=True)
class PartialField:
    text: str
    complete: bool


class NarrativeStream:
    """Feed answer pieces; `fields()` is every top-level string field read so far."""

    def __init__(self) -> None:
        self._received: list[str] = []

    def feed(self, piece: str) -> None:
        self._received.append(piece)

    def text(self) -> str:
        return "".join(self._received)

    def fields(self) -> dict[str, PartialField]:
        return partial_fields(self.text())


def partial_fields(prefix: str) -> dict[str, PartialField]:
    """Top-level string fields of a JSON object prefix (see the module docstring)."""
    found: dict[str, PartialField] = {}
    start = prefix.find("{")
    if start < 0:
        return found
    position = start + 1
    length = len(prefix)

    while position < length:
        position = _skip_blank_and_commas(prefix, position)
        if position >= length or prefix[position] != '"':
            break
        key, position, closed = _read_string(prefix, position)
        if not closed:
            break
        position = _skip_blank(prefix, position)
        if position >= length or prefix[position] != ":":
            break
        position = _skip_blank(prefix, position + 1)
        if position >= length:
            break
        if prefix[position] == '"':
            value, position, closed = _read_string(prefix, position)
            found[key] = PartialField(value, closed)
            if not closed:
                break
        else:
            position = _skip_value(prefix, position)
            if position < 0:
                break
    return found


def _skip_blank(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _skip_blank_and_commas(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n,":
        position += 1
    return position


def _read_string(text: str, position: int) -> tuple[str, int, bool]:
    """The string starting at the quote at `position`: (value so far, next index, closed)."""
    out: list[str] = []
    position += 1
    while position < len(text):
        char = text[position]
        if char == '"':
            return "".join(out), position + 1, True
        if char != "\\":
            out.append(char)
            position += 1
            continue
        if position + 1 >= len(text):
            break
        code = text[position + 1]
        if code == "u":
            digits = text[position + 2:position + 6]
            if len(digits) < 4:
                break
            out.append(_unicode_escape(text, position))
            position += 12 if _is_pair(text, position) else 6
            continue
        out.append(_ESCAPES.get(code, code))
        position += 2
    return "".join(out), len(text), False


def _is_pair(text: str, position: int) -> bool:
    """Whether the \\u escape at `position` is the high half of a complete surrogate pair."""
    try:
        high = int(text[position + 2:position + 6], 16)
    except ValueError:
        return False
    low = text[position + 6:position + 12]
    return 0xD800 <= high <= 0xDBFF and low.startswith("\\u") and len(low) == 6


def _unicode_escape(text: str, position: int) -> str:
    end = position + 12 if _is_pair(text, position) else position + 6
    try:
        return str(json.loads(f'"{text[position:end]}"'))
    except json.JSONDecodeError:
        return "\ufffd"


def _skip_value(text: str, position: int) -> int:
    """Index after a non-string value (number, literal, array, object); -1 if unfinished."""
    depth = 0
    while position < len(text):
        char = text[position]
        if char == '"':
            _, position, closed = _read_string(text, position)
            if not closed:
                return -1
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            if depth == 0:
                return position  # the end of the enclosing object
            depth -= 1
            if depth == 0:
                return position + 1
        elif char == "," and depth == 0:
            return position
        position += 1
    return -1
