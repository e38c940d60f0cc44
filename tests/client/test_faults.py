"""What a live server can't be made to do, through an injected transport."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from engine.client import (
    UNSET,
    BadStructuredOutput,
    BoxTimeout,
    ClientClosed,
    ClientConfig,
    ContextTooLong,
    Endpoint,
    InferenceClient,
    Overloaded,
    RequestRejected,
    RetryPolicy,
    ServerError,
    StreamInterrupted,
    Timeouts,
)
from engine.errors import BadInput

A, B = "http://box-a.test:8080", "http://box-b.test:8080"
NO_WAIT = RetryPolicy(attempts=3, backoff_s=0.0)


def chat_answer(content: str, finish: str = "stop") -> dict[str, object]:
    return {"model": "m", "choices": [{"message": {"content": content},
                                       "finish_reason": finish}]}


def sse(*events: dict[str, object] | str) -> bytes:
    lines = [f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events]
    return "".join(lines).encode()


def delta(text: str, finish: str | None = None) -> dict[str, object]:
    return {"model": "m", "choices": [{"delta": {"content": text}, "finish_reason": finish}]}


class Breaking(httpx.SyncByteStream):
    """A body that delivers some bytes and then the connection drops."""

    def __init__(self, first: bytes) -> None:
        self.first = first

    def __iter__(self) -> Iterator[bytes]:
        yield self.first
        raise httpx.ReadError("connection reset by peer")


def make(handler: Callable[[httpx.Request], httpx.Response], *urls: str,
         retry: RetryPolicy = NO_WAIT, dialect: str = "llama_cpp") -> InferenceClient:
    config = ClientConfig(endpoints=tuple(Endpoint(u) for u in (urls or (A,))), retry=retry,
                          dialect=dialect)  # type: ignore[arg-type]
    return InferenceClient(config, transport=httpx.MockTransport(handler))


def test_a_stream_cut_mid_json_is_interrupted_with_what_arrived() -> None:
    body = sse(delta('{"chief_'), delta('complaint": "胸'))
    client = make(lambda r: httpx.Response(200, stream=Breaking(body)))
    with client, pytest.raises(StreamInterrupted) as caught:
        client.stream([{"role": "user", "content": "x"}])
    assert caught.value.partial == '{"chief_complaint": "胸'
    assert caught.value.exit_code == 3


def test_a_stream_that_stops_without_finishing_is_interrupted() -> None:
    client = make(lambda r: httpx.Response(200, content=sse(delta('{"a":'))))
    with client, pytest.raises(StreamInterrupted):
        client.stream([{"role": "user", "content": "x"}])


def test_garbage_bytes_are_a_server_error() -> None:
    client = make(lambda r: httpx.Response(200, content=b"\xff\xfe\x00garbage"))
    with client, pytest.raises(ServerError):
        client.complete([{"role": "user", "content": "x"}])


def test_a_garbage_stream_event_is_a_server_error() -> None:
    client = make(lambda r: httpx.Response(200, content=b"data: {not json\n\n"))
    with client, pytest.raises(ServerError, match="malformed stream"):
        client.stream([{"role": "user", "content": "x"}])


def test_a_503_storm_is_retried_then_fails_over() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.host)
        if request.url.host == "box-a.test":
            return httpx.Response(503, json={"error": {"message": "busy"}})
        return httpx.Response(200, json=chat_answer("好"))

    with make(handler, A, B) as client:
        answer = client.complete([{"role": "user", "content": "x"}])
    assert answer.answer == "好" and answer.endpoint == B
    assert calls == ["box-a.test"] * 3 + ["box-b.test"]


def test_a_503_storm_everywhere_is_overloaded() -> None:
    client = make(lambda r: httpx.Response(503), A, B)
    with client, pytest.raises(Overloaded) as caught:
        client.complete([{"role": "user", "content": "x"}])
    assert caught.value.exit_code == 3


def test_429_waits_as_long_as_retry_after_says(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("engine.client.client.time.sleep", slept.append)
    answers = iter([httpx.Response(429, headers={"retry-after": "1.5"}),
                    httpx.Response(200, json=chat_answer("ok"))])
    with make(lambda r: next(answers)) as client:
        assert client.complete([{"role": "user", "content": "x"}]).answer == "ok"
    assert slept == [1.5]


def test_a_read_timeout_is_typed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with make(handler) as client, pytest.raises(BoxTimeout):
        client.complete([{"role": "user", "content": "x"}])


def test_a_500_never_puts_the_server_body_in_the_message() -> None:
    body = {"error": {"message": "Traceback /opt/llama/server.py line 3 患者胸痛"}}
    with make(lambda r: httpx.Response(500, json=body)) as client, \
            pytest.raises(ServerError) as caught:
        client.complete([{"role": "user", "content": "x"}])
    assert "/opt/llama" not in str(caught.value) and "患者" not in str(caught.value)
    assert caught.value.status == 500


@pytest.mark.parametrize("body", [
    {"error": {"code": "context_length_exceeded", "message": "too long"}},
    {"error": {"code": 400, "type": "exceed_context_size_error", "message": "size"}},
    {"object": "error", "code": 400, "type": "BadRequestError",
     "message": "This model's maximum context length is 4096 tokens."},
], ids=["llama-cpp-python", "llama-server", "vllm"])
def test_context_overflow_is_recognised_in_each_server_dialect(body: dict[str, object]) -> None:
    with make(lambda r: httpx.Response(400, json=body)) as client, \
            pytest.raises(ContextTooLong):
        client.complete([{"role": "user", "content": "x"}])


def test_another_400_is_a_rejected_request() -> None:
    body = {"error": {"message": "unknown field foo"}}
    with make(lambda r: httpx.Response(400, json=body)) as client, \
            pytest.raises(RequestRejected, match="unknown field"):
        client.complete([{"role": "user", "content": "x"}])


@pytest.mark.parametrize("answer", ["not json", '{"a": 1', "[1, 2]"])
def test_an_answer_that_is_not_the_schema_is_bad_structured_output(answer: str) -> None:
    def validate(data: object) -> dict[str, object]:
        if not isinstance(data, dict):
            raise TypeError("expected an object")
        return data

    with make(lambda r: httpx.Response(200, json=chat_answer(answer))) as client, \
            pytest.raises(BadStructuredOutput) as caught:
        client.structured([{"role": "user", "content": "x"}], {"type": "object"}, validate)
    assert caught.value.raw == answer


def test_raw_newlines_inside_strings_are_accepted() -> None:
    answer = '{"present_illness": "第一行\n第二行"}'
    with make(lambda r: httpx.Response(200, json=chat_answer(answer))) as client:
        result = client.structured([{"role": "user", "content": "x"}], {}, dict)
    assert result.value == {"present_illness": "第一行\n第二行"}


def test_two_phase_reasons_first_then_answers_in_the_schema() -> None:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        if "response_format" not in body:
            return httpx.Response(200, json=chat_answer("<think>考虑ACS</think>"))
        return httpx.Response(200, json=chat_answer('{"chief_complaint": "胸痛"}'))

    with make(handler) as client:
        result = client.structured([{"role": "user", "content": "胸痛"}], {"type": "object"},
                                   dict, mode="two_phase", reasoning_budget=64)
    assert result.value == {"chief_complaint": "胸痛"}
    assert result.reasoning == "考虑ACS"
    assert bodies[0]["max_tokens"] == 64
    assert "考虑ACS" in bodies[1]["messages"][-1]["content"]  # type: ignore[index]
    assert "考虑ACS" not in json.dumps(result.value, ensure_ascii=False)


@pytest.mark.parametrize(("dialect", "expected_type"), [("llama_cpp", "json_object"),
                                                         ("openai", "json_schema")])
def test_structured_output_uses_the_configured_dialect(dialect: str, expected_type: str) -> None:
    sent: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=chat_answer("{}"))

    with make(handler, dialect=dialect) as client:
        client.structured([{"role": "user", "content": "x"}], {"type": "object"}, dict)
    assert sent[0]["response_format"]["type"] == expected_type  # type: ignore[index]


@pytest.mark.parametrize(("owner", "expected"), [("me", "llama_cpp"), ("llamacpp", "openai"),
                                                 ("vllm", "openai"), ("someone", "openai")])
def test_the_dialect_is_detected_from_the_models_list(owner: str, expected: str) -> None:
    models = {"data": [{"id": "m", "owned_by": owner}]}
    with make(lambda r: httpx.Response(200, json=models), dialect="auto") as client:
        assert client.dialect_of(client.config.endpoints[0]) == expected


def test_a_closed_client_refuses_work() -> None:
    client = make(lambda r: httpx.Response(200, json={"data": []}))
    with client:
        client.models()
    assert client.closed
    with pytest.raises(ClientClosed):
        client.models()


def test_a_cancelled_stream_stops_reading() -> None:
    body = sse(delta("{"), delta('"a"'), delta(": 1}"), delta("", "stop"), "[DONE]")
    seen: list[str] = []
    with make(lambda r: httpx.Response(200, content=body)) as client:
        completion = client.stream([{"role": "user", "content": "x"}],
                                   on_event=lambda e: seen.append(e.text),
                                   cancelled=lambda: len(seen) >= 1)
    assert completion.finish_reason == "cancelled"


def test_timeouts_distinguish_unset_from_forever() -> None:
    timeouts = Timeouts(read=None)
    resolved = timeouts.resolved()
    assert resolved["read"] is None and resolved["connect"] == 3.0
    assert Timeouts(connect=UNSET).merged(Timeouts(connect=1.0)).connect == 1.0


@pytest.mark.parametrize("url", ["", "box:8080", "ftp://box", "http://"])
def test_a_bad_endpoint_url_says_how_to_write_one(url: str) -> None:
    with pytest.raises(BadInput, match="http://") as caught:
        Endpoint(url)
    assert caught.value.exit_code == 2


def test_a_late_closing_tag_still_keeps_reasoning_out_of_the_final_answer() -> None:
    body = sse(delta('{"guess": 1} 再想想'), delta('</think>{"a": 1}', "stop"), "[DONE]")
    with make(lambda r: httpx.Response(200, content=body)) as client:
        completion = client.stream([{"role": "user", "content": "x"}])
    assert completion.answer == '{"a": 1}'
    assert "再想想" in completion.reasoning


def test_only_configured_hosts_are_ever_contacted() -> None:
    contacted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        contacted.append(str(request.url))
        return httpx.Response(200, json={"data": []})

    with make(handler) as client:
        client.models()
        http = client._http_for(client.config.endpoints[0])
        with pytest.raises(RequestRejected, match="not a configured box"):
            http.get("http://elsewhere.test/v1/models")
    assert contacted == [f"{A}/v1/models"]
