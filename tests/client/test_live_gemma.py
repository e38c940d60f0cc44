"""The client against a real llama_cpp.server running Gemma 3 270M."""

from __future__ import annotations

import json
import logging

import keyring
import keyring.backends.fail
import pytest

from engine.box import LocalBox, free_port
from engine.client import (
    AuthFailed,
    ClientConfig,
    ContextTooLong,
    Endpoint,
    InferenceClient,
    RetryPolicy,
    StreamEvent,
    Unreachable,
)
from engine.client.keys import store_api_key
from engine.drafting.model import ModelNarrative, narrative_schema
from prompts import load_card
from tests.conftest import GEMMA_KEY

pytestmark = [pytest.mark.slow, pytest.mark.needs_server]

DICTATION = "持续左胸痛3小时压榨 冷汗气促"
FAST_RETRY = RetryPolicy(attempts=2, backoff_s=0.01)


def client_for(*urls: str, key: str | None = GEMMA_KEY) -> InferenceClient:
    config = ClientConfig(endpoints=tuple(Endpoint(u) for u in urls), retry=FAST_RETRY)
    return InferenceClient(config, api_key=key)


def draft_messages() -> list[dict[str, str]]:
    card = load_card("acs")
    rendered = card.render({"findings": "（无）", "knowledge": "（无）",
                            "patient_text": DICTATION})
    return rendered.messages()


def test_models_and_detected_dialect(gemma_box: LocalBox) -> None:
    with client_for(gemma_box.url) as client:
        assert client.models(), "the server lists its model"
        assert client.dialect_of(client.config.endpoints[0]) == "llama_cpp"


def test_unstreamed_draft_validates_against_the_schema(gemma_box: LocalBox) -> None:
    with client_for(gemma_box.url) as client:
        result = client.structured(draft_messages(), narrative_schema(),
                                   ModelNarrative.model_validate, max_tokens=1024)

    assert isinstance(result.value, ModelNarrative)
    assert set(json.loads(result.completion.answer)) == set(narrative_schema()["properties"])
    assert result.completion.usage["prompt_tokens"] > 100


def test_streamed_draft_validates_and_arrives_in_pieces(gemma_box: LocalBox) -> None:
    seen: list[StreamEvent] = []
    with client_for(gemma_box.url) as client:
        result = client.structured(draft_messages(), narrative_schema(),
                                   ModelNarrative.model_validate, max_tokens=1024,
                                   stream=True, on_event=seen.append)

    assert isinstance(result.value, ModelNarrative)
    assert len(seen) > 5, "a stream delivers many pieces"
    assert "".join(e.text for e in seen if e.kind == "answer").strip() == \
        result.completion.answer
    assert result.completion.first_token_s is not None


def test_chinese_round_trips_through_the_server(gemma_box: LocalBox) -> None:
    # The schema allows exactly the dictation back, so the model must write it character by
    # character: the request, tokenizer, stream and decoding all carry Chinese intact.
    schema = {"type": "object", "properties": {"echo": {"enum": [DICTATION]}},
              "required": ["echo"]}
    with client_for(gemma_box.url) as client:
        whole = client.complete([{"role": "user", "content": DICTATION}], schema=schema,
                                max_tokens=64)
        streamed = client.stream([{"role": "user", "content": DICTATION}], schema=schema,
                                 max_tokens=64)

    assert json.loads(whole.answer) == {"echo": DICTATION}
    assert json.loads(streamed.answer) == {"echo": DICTATION}


def test_a_wrong_api_key_is_an_auth_error(gemma_box: LocalBox) -> None:
    with client_for(gemma_box.url, key="wrong-key") as client, \
            pytest.raises(AuthFailed) as caught:
        client.models()
    assert caught.value.exit_code == 2
    assert "API key" in str(caught.value)


def test_no_api_key_is_an_auth_error(gemma_box: LocalBox) -> None:
    with client_for(gemma_box.url, key=None) as client, pytest.raises(AuthFailed):
        client.models()


def test_the_key_comes_from_the_os_keyring(gemma_box: LocalBox) -> None:
    store_api_key(gemma_box.url, GEMMA_KEY)
    with client_for(gemma_box.url, key=None) as client:
        assert client.models()


def test_without_a_keyring_the_environment_key_is_used_with_a_warning(
    gemma_box: LocalBox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setenv("SENTINEL_API_KEY", GEMMA_KEY)
    with caplog.at_level(logging.WARNING), client_for(gemma_box.url, key=None) as client:
        assert client.models()
    assert any("SENTINEL_API_KEY" in r.getMessage() for r in caplog.records)
    assert all(GEMMA_KEY not in r.getMessage() for r in caplog.records)


def test_context_overflow_is_its_own_error(gemma_box: LocalBox) -> None:
    too_long = "胸痛伴出汗，" * 1200  # far more tokens than the 2,048 the server holds
    with client_for(gemma_box.url) as client, pytest.raises(ContextTooLong) as caught:
        client.complete([{"role": "user", "content": too_long}], max_tokens=8)
    assert caught.value.exit_code == 2


def test_failover_to_the_second_endpoint(gemma_box: LocalBox) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with client_for(dead, gemma_box.url) as client:
        answer = client.complete([{"role": "user", "content": "胸痛"}], max_tokens=4)
        assert answer.endpoint == gemma_box.url
        # The dead box is rested: the next call goes to the live one first.
        assert client._endpoints_in_order()[0].url == gemma_box.url


def test_every_endpoint_down_is_unreachable() -> None:
    dead = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    with client_for(*dead) as client, pytest.raises(Unreachable) as caught:
        client.models()
    assert caught.value.exit_code == 3
    assert dead[0] in str(caught.value) and dead[1] in str(caught.value)
