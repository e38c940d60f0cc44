"""Reading the command line's text and JSON arguments, with errors that say how to fix them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from engine.errors import BadInput

MAX_TEXT_CHARS = 20_000


def read_text(value: str, *, what: str = "TEXT", limit: int = MAX_TEXT_CHARS) -> str:
    """The text itself, or UTF-8 from stdin when VALUE is '-'.

    Empty, huge, NUL-bearing or non-UTF-8 input is BadInput naming the problem.
    """
    if value == "-":
        raw = sys.stdin.buffer.read()
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadInput(
                f"{what} on stdin is not UTF-8 (byte {exc.start}); save it as UTF-8 and retry"
            ) from None
    if "\x00" in value:
        raise BadInput(f"{what} contains NUL characters; pass plain text")
    if not value.strip():
        raise BadInput(f"{what} is empty; type or dictate the presentation first")
    if len(value) > limit:
        raise BadInput(f"{what} has {len(value)} characters, more than {limit}; shorten it")
    return value


def read_json_object(value: str, *, what: str) -> dict[str, Any]:
    """A JSON object given inline or as @FILE."""
    source = value
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            source = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise BadInput(f"{what}: no file {path}") from None
        except UnicodeDecodeError:
            raise BadInput(f"{what}: {path} is not UTF-8") from None
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{what} is not valid JSON: {exc.msg} at character {exc.pos}") from None
    if not isinstance(data, dict):
        raise BadInput(f"{what} must be a JSON object, like {{\"hr\": 88}}")
    return data
