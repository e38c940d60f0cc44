"""DeepSeek R1's chat template and `<think>` handling, through a real server.

The model is tiny with random weights around the real R1 tokenizer and template, so its words
mean nothing; a grammar makes it write the shapes R1 distills write.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llama_cpp import Llama
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from engine.box import LocalBox
from engine.client import (
    BadStructuredOutput,
    ClientConfig,
    Endpoint,
    InferenceClient,
    StreamEvent,
)
from tests.models import deepseek_header

pytestmark = [pytest.mark.slow, pytest.mark.needs_server]

QUESTION = "持续左胸痛3小时"
ANSWER_RULE = r'"{\"chief_complaint\":\"左胸痛3小时\"}"'


def client(box: LocalBox) -> InferenceClient:
    return InferenceClient(ClientConfig(endpoints=(Endpoint(box.url),)))


def grammar(shape: str) -> dict[str, str]:
    return {"grammar": f"root ::= {shape}\nword ::= [a-z]{{2,6}}\n"}


def test_the_template_wraps_the_user_turn_and_leaves_think_to_the_model(
    deepseek_model: Path, deepseek_box: LocalBox
) -> None:
    meta = deepseek_header()
    tokens = meta["tokenizer.ggml.tokens"]
    formatter = Jinja2ChatFormatter(
        template=meta["tokenizer.chat_template"],
        bos_token=tokens[int(meta["tokenizer.ggml.bos_token_id"])],
        eos_token=tokens[int(meta["tokenizer.ggml.eos_token_id"])],
    )
    prompt = formatter(messages=[{"role": "user", "content": QUESTION}]).prompt

    assert prompt.endswith("<｜User｜>" + QUESTION + "<｜Assistant｜>")
    assert "<think>" not in prompt, "the template does not open the reasoning block"

    # The server renders the same template: its prompt token count matches ours.
    vocab = Llama(model_path=str(deepseek_model), vocab_only=True, verbose=False)
    expected = len(vocab.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))
    with client(deepseek_box) as c:
        answer = c.complete([{"role": "user", "content": QUESTION}], max_tokens=1)
    assert answer.usage["prompt_tokens"] == expected


@pytest.mark.parametrize("stream", [False, True])
def test_reasoning_is_separated_from_the_answer(deepseek_box: LocalBox, stream: bool) -> None:
    shape = f'"<think>" word (" " word){{2,4}} "</think>" {ANSWER_RULE}'
    events: list[StreamEvent] = []
    with client(deepseek_box) as c:
        if stream:
            completion = c.stream([{"role": "user", "content": QUESTION}], max_tokens=64,
                                  extra=grammar(shape), on_event=events.append)
        else:
            completion = c.complete([{"role": "user", "content": QUESTION}], max_tokens=64,
                                    extra=grammar(shape))

    assert json.loads(completion.answer) == {"chief_complaint": "左胸痛3小时"}
    assert completion.reasoning and "<think>" not in completion.reasoning
    assert "think>" not in completion.answer
    if stream:
        assert all("think>" not in e.text for e in events)
        assert "".join(e.text for e in events if e.kind == "answer") == completion.answer


def test_reasoning_without_its_opening_tag_is_still_reasoning(deepseek_box: LocalBox) -> None:
    shape = f'word (" " word){{2,4}} "</think>" {ANSWER_RULE}'
    events: list[StreamEvent] = []
    with client(deepseek_box) as c:
        completion = c.stream([{"role": "user", "content": QUESTION}], max_tokens=64,
                              extra=grammar(shape), on_event=events.append)

    assert json.loads(completion.answer) == {"chief_complaint": "左胸痛3小时"}
    answer_text = "".join(e.text for e in events if e.kind == "answer")
    assert answer_text == completion.answer, "no reasoning word leaked into the answer"


def test_reasoning_cut_at_max_tokens_never_becomes_a_draft(deepseek_box: LocalBox) -> None:
    shape = '"<think>" word (" " word)*'
    with client(deepseek_box) as c:
        completion = c.complete([{"role": "user", "content": QUESTION}], max_tokens=6,
                                extra=grammar(shape))
        assert completion.cut_at_max_tokens
        assert completion.answer == ""

        with pytest.raises(BadStructuredOutput):
            c.structured([{"role": "user", "content": QUESTION}], {"type": "object"},
                         dict, max_tokens=6)
