"""Separating `<think>` reasoning from answers, whole and streamed in any chunking."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.client.reasoning import StreamSplitter, split_reasoning


@pytest.mark.parametrize(("text", "reasoning", "answer", "cut"), [
    ("<think>想一想</think>{\"a\": 1}", "想一想", "{\"a\": 1}", False),
    ("想一想</think>\n{\"a\": 1}", "想一想", "{\"a\": 1}", False),  # template opened it
    ("<think>想了很久还没想完", "想了很久还没想完", "", True),  # cut at max_tokens
    ("{\"a\": 1}", "", "{\"a\": 1}", False),
    ("  <think></think>答案", "", "答案", False),
    ("<think>a</think>b</think>c", "a</think>b", "c", False),
])
def test_whole_completions(text: str, reasoning: str, answer: str, cut: bool) -> None:
    split = split_reasoning(text)
    assert (split.reasoning, split.answer, split.reasoning_cut) == (reasoning, answer, cut)


def stream_through(pieces: list[str]) -> tuple[str, str]:
    splitter = StreamSplitter()
    out = {"reasoning": "", "answer": ""}
    for piece in pieces:
        for kind, text in splitter.feed(piece):
            out[kind] += text
    for kind, text in splitter.finish():
        out[kind] += text
    return out["reasoning"].strip(), out["answer"].strip()


def chunked(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    return [text[a:b] for a, b in itertools.pairwise(points)]


words = st.text(alphabet="胸痛考虑 ACS<>/abc{}\"", max_size=40).filter(
    lambda s: "think>" not in s)


@given(reasoning=words, answer=words, cuts=st.lists(st.integers(0, 200), max_size=12),
       opening=st.booleans())
def test_any_chunking_gives_the_same_split(reasoning: str, answer: str, cuts: list[int],
                                           opening: bool) -> None:
    if not opening and reasoning.strip().startswith("{"):
        # Text that opens like JSON is streamed as the answer at once; the whole completion
        # is split again at the end, so the final answer is still right (tested elsewhere).
        reasoning = "想" + reasoning
    text = ("<think>" if opening else "") + reasoning + "</think>" + answer
    assert stream_through(chunked(text, cuts)) == (reasoning.strip(), answer.strip())


@given(answer=words.map(lambda s: "{" + s), cuts=st.lists(st.integers(0, 200), max_size=12))
def test_structured_answers_stream_without_delay(answer: str, cuts: list[int]) -> None:
    splitter = StreamSplitter()
    streamed = "".join(t for piece in chunked(answer, cuts) for _, t in splitter.feed(piece))
    assert streamed.strip() == answer.strip(), "JSON is passed on as it arrives"


def test_undecided_text_is_held_until_the_closing_tag() -> None:
    splitter = StreamSplitter()
    assert list(splitter.feed("让我想想这个")) == []
    assert list(splitter.feed("病人</think>{")) == [("reasoning", "让我想想这个病人"),
                                                  ("answer", "{")]
    assert list(splitter.feed('"a": 1}')) == [("answer", '"a": 1}')]
