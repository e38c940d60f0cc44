"""Separating a reasoning model's thinking from its answer.

DeepSeek R1 distills write `<think>…</think>` before answering. The opening tag is missing when
the chat template already wrote it, and the closing tag is missing when generation was cut at
max_tokens. Reasoning text must never reach a draft, so when in doubt text counts as reasoning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

OPEN = "<think>"
CLOSE = "</think>"


@dataclass(frozen=True)
class Split:
    reasoning: str
    answer: str
    # True when the model opened a reasoning block and never closed it (cut at max_tokens).
    reasoning_cut: bool = False


def split_reasoning(text: str) -> Split:
    """Split a whole completion into reasoning and answer."""
    close_at = text.rfind(CLOSE)
    if close_at >= 0:
        reasoning = text[:close_at]
        answer = text[close_at + len(CLOSE):]
        return Split(_strip_open(reasoning).strip(), answer.strip())

    stripped = text.lstrip()
    if stripped.startswith(OPEN):
        return Split(stripped[len(OPEN):].strip(), "", reasoning_cut=True)
    return Split("", text.strip())


def _strip_open(text: str) -> str:
    head = text.lstrip()
    return head[len(OPEN):] if head.startswith(OPEN) else text


Kind = Literal["reasoning", "answer"]


class StreamSplitter:
    """Splits streamed deltas into reasoning and answer pieces as they arrive.

    Text is held back until it is clear which side it belongs to: a completion that starts with
    `<think>` is reasoning until `</think>`; one that starts with `{` (structured output) is
    answer; anything else is held until `</think>` shows up or the stream ends, because a model
    whose template opened the block for it writes reasoning with no opening tag.
    """

    def __init__(self) -> None:
        self._state: Literal["start", "reasoning", "answer", "undecided"] = "start"
        self._buffer = ""

    def feed(self, delta: str) -> Iterator[tuple[Kind, str]]:
        self._buffer += delta
        while True:
            produced = self._step()
            if produced is None:
                return
            if produced[1]:
                yield produced

    def finish(self) -> Iterator[tuple[Kind, str]]:
        """Flush what is held: undecided text with no closing tag is the answer."""
        rest, self._buffer = self._buffer, ""
        if not rest:
            return
        if self._state == "reasoning":
            yield "reasoning", rest
        elif self._state == "undecided" or self._state == "start":
            split = split_reasoning(rest)
            if split.reasoning:
                yield "reasoning", split.reasoning
            if split.answer:
                yield "answer", split.answer
        else:
            yield "answer", rest

    def _step(self) -> tuple[Kind, str] | None:
        if self._state == "start":
            return self._decide()
        if self._state == "reasoning":
            return self._until_close("reasoning")
        if self._state == "undecided":
            return self._until_close("reasoning", keep_all=True)
        piece, self._buffer = self._buffer, ""
        return ("answer", piece) if piece else None

    def _decide(self) -> tuple[Kind, str] | None:
        head = self._buffer.lstrip()
        if not head:
            return None
        if head.startswith(OPEN):
            self._buffer = head[len(OPEN):]
            self._state = "reasoning"
            return "reasoning", ""
        if OPEN.startswith(head):
            return None  # could still become "<think>"
        self._state = "answer" if head.startswith("{") else "undecided"
        return "answer", ""

    def _until_close(self, kind: Kind, *, keep_all: bool = False) -> tuple[Kind, str] | None:
        at = self._buffer.find(CLOSE)
        if at >= 0:
            piece = self._buffer[:at]
            self._buffer = self._buffer[at + len(CLOSE):].lstrip()
            self._state = "answer"
            return kind, piece
        if keep_all:
            return None
        # Keep back a tail that might be the start of "</think>".
        safe = len(self._buffer) - (len(CLOSE) - 1)
        if safe <= 0:
            return None
        piece, self._buffer = self._buffer[:safe], self._buffer[safe:]
        return kind, piece
