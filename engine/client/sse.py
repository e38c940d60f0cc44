"""Reading the server-sent events of a streamed chat completion."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

DONE = "[DONE]"


class MalformedEvent(ValueError):
    """A `data:` line that is not JSON."""


def events(lines: Iterable[str]) -> Iterator[dict[str, Any] | str]:
    """Each event's parsed JSON, or the string DONE for the end marker.

    Comment lines (`:`) and other fields (`event:`, `id:`) carry nothing we need.
    """
    for line in lines:
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == DONE:
            yield DONE
            return
        if not payload:
            continue
        try:
            event = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise MalformedEvent(f"stream event is not JSON at character {exc.pos}") from None
        if not isinstance(event, dict):
            raise MalformedEvent("stream event is not a JSON object")
        yield event
