"""A client for OpenAI-compatible inference boxes (llama-cpp-python, llama-server, vLLM).

The client has a lifecycle: it is open after construction, usable as a context manager, and
refuses work once closed. Endpoints are tried in order; an endpoint that fails to connect, times
out or stays overloaded is rested for a while so the next call goes straight to a live one.
Connection errors, 429 and 503 are retried with backoff before moving on.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

import httpx

from engine.client import dialect as dialects
from engine.client.config import ClientConfig, Endpoint
from engine.client.errors import (
    AuthFailed,
    BadStructuredOutput,
    BoxError,
    BoxTimeout,
    ClientClosed,
    ContextTooLong,
    InferenceError,
    Overloaded,
    RequestRejected,
    ServerError,
    StreamInterrupted,
    TLSUntrusted,
    Unreachable,
)
from engine.client.keys import api_key_for
from engine.client.reasoning import Kind, StreamSplitter, split_reasoning
from engine.client.sse import DONE, MalformedEvent, events

log = logging.getLogger(__name__)

T = TypeVar("T")
Message = dict[str, str]
ReasoningMode = Literal["skip", "two_phase"]

REST_AFTER_FAILURE_S = 30.0
_RETRY_STATUSES = (429, 503)


@dataclass
class Completion:
    """A whole chat completion, reasoning separated from the answer."""

    answer: str
    reasoning: str
    finish_reason: str | None
    endpoint: str
    model: str
    usage: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    first_token_s: float | None = None

    @property
    def cut_at_max_tokens(self) -> bool:
        return self.finish_reason == "length"


@dataclass(frozen=True)
class StreamEvent:
    """A piece of a streamed completion: reasoning or answer text as it arrives."""

    kind: Kind
    text: str


@dataclass
class Structured(Generic[T]):
    """A schema-constrained answer, parsed and validated."""

    value: T
    completion: Completion
    reasoning: str = ""
    reasoning_s: float | None = None


class InferenceClient:
    """Talks to the hospital's inference box over the OpenAI-compatible HTTP API."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._api_key = api_key
        self._transport = transport
        self._clock = clock
        self._http: dict[str, httpx.Client] = {}
        self._rested_until: dict[str, float] = {}
        self._dialects: dict[str, dialects.Resolved] = {}
        self._lock = threading.Lock()
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> InferenceClient:
        self._check_open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            clients, self._http = list(self._http.values()), {}
        for http in clients:
            http.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosed("the inference client was closed; make a new one")

    # -- discovery -------------------------------------------------------------------------

    def models(self) -> list[str]:
        """The model ids the first live endpoint serves."""
        answer, _ = self._first_live(lambda ep: self._get_json(ep, "/v1/models"))
        return [m["id"] for m in answer.get("data", []) if isinstance(m, dict) and "id" in m]

    def wait_ready(self, timeout_s: float, poll_s: float = 0.2) -> list[str]:
        """Poll `/v1/models` (servers have no health route) until it answers or time runs out."""
        deadline = self._clock() + timeout_s
        while True:
            try:
                return self.models()
            except BoxError:
                if self._clock() >= deadline:
                    raise
                self._rested_until.clear()
                time.sleep(poll_s)

    def dialect_of(self, endpoint: Endpoint) -> dialects.Resolved:
        """The structured-output dialect: configured, or detected once per endpoint."""
        if self.config.dialect != "auto":
            return self.config.dialect
        if endpoint.url not in self._dialects:
            answer = self._get_json(endpoint, "/v1/models")
            self._dialects[endpoint.url] = dialects.detect(answer)
            log.debug("endpoint %s speaks the %s dialect", endpoint.url,
                      self._dialects[endpoint.url])
        return self._dialects[endpoint.url]

    # -- chat ------------------------------------------------------------------------------

    def complete(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float = 0.2,
        schema: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Completion:
        """One completion, not streamed."""
        def attempt(endpoint: Endpoint) -> Completion:
            body = self._chat_body(endpoint, messages, max_tokens, temperature, schema, extra)
            started = self._clock()
            answer = self._post_json(endpoint, "/v1/chat/completions", body)
            return self._completion_from(answer, endpoint, self._clock() - started)

        completion, _ = self._first_live(attempt)
        return completion

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        temperature: float = 0.2,
        schema: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        on_event: Callable[[StreamEvent], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Completion:
        """A streamed completion: `on_event` sees reasoning and answer pieces as they come.

        Failover happens only before the first byte; a stream cut later raises
        StreamInterrupted carrying what had arrived. `cancelled` is polled between pieces.
        """
        def attempt(endpoint: Endpoint) -> Completion:
            body = self._chat_body(endpoint, messages, max_tokens, temperature, schema, extra)
            body["stream"] = True
            return self._stream_from(endpoint, body, on_event, cancelled)

        completion, _ = self._first_live(attempt)
        return completion

    def structured(
        self,
        messages: Sequence[Message],
        schema: dict[str, Any],
        validate: Callable[[Any], T],
        *,
        mode: ReasoningMode = "skip",
        reasoning_budget: int = 512,
        max_tokens: int | None = 1536,
        temperature: float = 0.2,
        stream: bool = False,
        on_event: Callable[[StreamEvent], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Structured[T]:
        """An answer in the schema, parsed and passed through `validate`.

        mode "skip": constrained from the first token, so a reasoning model emits no thinking.
        mode "two_phase": first reason freely within `reasoning_budget` tokens, then answer in
        the schema with that reasoning as context. Reasoning never becomes part of the value.
        """
        reasoning, reasoning_s = "", None
        if mode == "two_phase":
            started = self._clock()
            thought = self.complete(messages, max_tokens=reasoning_budget, temperature=0.6)
            reasoning = thought.reasoning or split_reasoning(thought.answer).reasoning
            reasoning_s = self._clock() - started
            messages = _with_reasoning(messages, reasoning)

        if stream:
            completion = self.stream(messages, max_tokens=max_tokens, schema=schema,
                                     temperature=temperature, on_event=on_event,
                                     cancelled=cancelled)
        else:
            completion = self.complete(messages, max_tokens=max_tokens, schema=schema,
                                       temperature=temperature)
        value = parse_structured(completion, validate)
        return Structured(value, completion, reasoning, reasoning_s)

    # -- the HTTP layer --------------------------------------------------------------------

    def _chat_body(
        self,
        endpoint: Endpoint,
        messages: Sequence[Message],
        max_tokens: int | None,
        temperature: float,
        schema: dict[str, Any] | None,
        extra: dict[str, Any] | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"messages": list(messages), "temperature": temperature}
        if self.config.model:
            body["model"] = self.config.model
        if max_tokens is not None:
            body["max_tokens"] = max_tokens  # llama.cpp's server is unlimited unless told
        if schema is not None:
            body["response_format"] = dialects.response_format(self.dialect_of(endpoint), schema)
        if extra:
            body.update(extra)
        return body

    def _first_live(self, attempt: Callable[[Endpoint], T]) -> tuple[T, Endpoint]:
        """Run `attempt` on each endpoint in order until one works."""
        self._check_open()
        failures: list[BoxError] = []
        candidates = self._endpoints_in_order()
        for endpoint in candidates:
            try:
                result = self._with_retries(endpoint, attempt)
            except (Unreachable, BoxTimeout, Overloaded) as exc:
                failures.append(exc)
                self._rested_until[endpoint.url] = self._clock() + REST_AFTER_FAILURE_S
                log.warning("inference box %s failed (%s); trying the next one",
                            endpoint.url, type(exc).__name__)
                continue
            self._rested_until.pop(endpoint.url, None)
            return result, endpoint
        raise _summarise(failures)

    def _endpoints_in_order(self) -> list[Endpoint]:
        now = self._clock()
        live = [e for e in self.config.endpoints if self._rested_until.get(e.url, 0) <= now]
        rested = [e for e in self.config.endpoints if e not in live]
        return live + rested  # a rested endpoint is still tried when all others failed

    def _with_retries(self, endpoint: Endpoint, attempt: Callable[[Endpoint], T]) -> T:
        policy = self.config.retry
        for retry in range(policy.attempts):
            try:
                return attempt(endpoint)
            except (Unreachable, Overloaded) as exc:
                if retry + 1 >= policy.attempts:
                    raise
                delay = policy.delay(retry, getattr(exc, "retry_after", None))
                log.debug("retrying %s in %.2fs after %s", endpoint.url, delay,
                          type(exc).__name__)
                time.sleep(delay)
        raise AssertionError("unreachable: the retry loop always returns or raises")

    def _http_for(self, endpoint: Endpoint) -> httpx.Client:
        with self._lock:
            self._check_open()
            http = self._http.get(endpoint.url)
            if http is None:
                timeouts = self.config.timeouts.resolved()
                http = httpx.Client(
                    base_url=endpoint.url,
                    timeout=httpx.Timeout(**timeouts),
                    verify=endpoint.ssl_context(),
                    transport=self._transport,
                    headers=self._headers(endpoint),
                    trust_env=False,  # never route patient text through a proxy from the env
                    follow_redirects=False,
                    event_hooks={"request": [self._only_configured_hosts]},
                )
                self._http[endpoint.url] = http
            return http

    def _only_configured_hosts(self, request: httpx.Request) -> None:
        """Refuse, before connecting, any request that is not for a configured endpoint."""
        target = (request.url.scheme, request.url.host, request.url.port)
        for endpoint in self.config.endpoints:
            url = httpx.URL(endpoint.url)
            if (url.scheme, url.host, url.port) == target:
                return
        raise RequestRejected(f"refused to contact {request.url.host}: not a configured box")

    def _headers(self, endpoint: Endpoint) -> dict[str, str]:
        key = self._api_key if self._api_key is not None else api_key_for(endpoint.url)
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _get_json(self, endpoint: Endpoint, path: str) -> dict[str, Any]:
        with self._request(endpoint, "GET", path) as response:
            return _json_body(response, endpoint)

    def _post_json(self, endpoint: Endpoint, path: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._request(endpoint, "POST", path, body) as response:
            return _json_body(response, endpoint)

    def _request(self, endpoint: Endpoint, method: str, path: str,
                 body: dict[str, Any] | None = None) -> _Response:
        http = self._http_for(endpoint)
        started = self._clock()
        try:
            request = http.build_request(method, path, json=body)
            response = http.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise BoxTimeout(f"{endpoint.url} did not answer in time ({type(exc).__name__})",
                             endpoint=endpoint.url) from None
        except httpx.ConnectError as exc:
            untrusted = _certificate_error(exc)
            if untrusted is not None:
                raise TLSUntrusted(
                    f"the TLS certificate of {endpoint.url} is not trusted "
                    f"({untrusted.verify_message}); set ca_bundle to the hospital's CA "
                    "file, or ask IT", endpoint=endpoint.url) from None
            raise Unreachable(f"cannot connect to {endpoint.url}: {type(exc).__name__}",
                              endpoint=endpoint.url) from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise Unreachable(f"cannot connect to {endpoint.url}: {type(exc).__name__}",
                              endpoint=endpoint.url) from None
        log.info("%s %s%s -> %d in %.2fs", method, endpoint.url, path, response.status_code,
                 self._clock() - started)
        if response.status_code >= 400:
            try:
                response.read()
            finally:
                response.close()
            raise _http_error(response, endpoint)
        return _Response(response)

    def _stream_from(
        self,
        endpoint: Endpoint,
        body: dict[str, Any],
        on_event: Callable[[StreamEvent], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> Completion:
        started = self._clock()
        splitter = StreamSplitter()
        raw: list[str] = []
        finish_reason: str | None = None
        model = body.get("model", "")
        first_token_s: float | None = None
        usage: dict[str, Any] = {}

        def emit(found: Iterator[tuple[Kind, str]]) -> None:
            for kind, text in found:
                if on_event is not None:
                    on_event(StreamEvent(kind, text))

        with self._request(endpoint, "POST", "/v1/chat/completions", body) as response:
            try:
                for event in events(response.iter_lines()):
                    if event == DONE:
                        break
                    assert isinstance(event, dict)
                    model = event.get("model", model)
                    usage = event.get("usage") or usage
                    for choice in event.get("choices") or []:
                        delta = (choice.get("delta") or {}).get("content") or ""
                        if delta:
                            if first_token_s is None:
                                first_token_s = self._clock() - started
                            raw.append(delta)
                            emit(splitter.feed(delta))
                        finish_reason = choice.get("finish_reason") or finish_reason
                    if cancelled is not None and cancelled():
                        finish_reason = "cancelled"
                        break
            except MalformedEvent as exc:
                raise ServerError(f"{endpoint.url} sent a malformed stream: {exc}",
                                  endpoint=endpoint.url) from None
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                raise StreamInterrupted(
                    f"the stream from {endpoint.url} broke off ({type(exc).__name__})",
                    endpoint=endpoint.url, partial="".join(raw)) from None

        if finish_reason is None:
            raise StreamInterrupted(f"the stream from {endpoint.url} ended without finishing",
                                    endpoint=endpoint.url, partial="".join(raw))
        emit(splitter.finish())
        # Events were split as they came; the whole text is split again so that a
        # closing tag seen late still moves everything before it out of the answer.
        final = split_reasoning("".join(raw))
        return Completion(
            answer=final.answer,
            reasoning=final.reasoning,
            finish_reason=finish_reason,
            endpoint=endpoint.url,
            model=model,
            usage=usage,
            seconds=self._clock() - started,
            first_token_s=first_token_s,
        )

    def _completion_from(self, answer: dict[str, Any], endpoint: Endpoint,
                         seconds: float) -> Completion:
        try:
            choice = answer["choices"][0]
            content = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ServerError(f"{endpoint.url} answered without a chat completion",
                              endpoint=endpoint.url) from None
        # vLLM's reasoning parser puts thinking in its own field; llama.cpp leaves it inline.
        separate = choice["message"].get("reasoning_content") or ""
        split = split_reasoning(content)
        return Completion(
            answer=split.answer,
            reasoning=(separate + "\n" + split.reasoning).strip(),
            finish_reason=choice.get("finish_reason"),
            endpoint=endpoint.url,
            model=answer.get("model", ""),
            usage=answer.get("usage") or {},
            seconds=seconds,
        )


class _Response:
    """A streamed httpx response that is always closed, even if reading fails."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    def __enter__(self) -> httpx.Response:
        return self._response

    def __exit__(self, *exc_info: object) -> None:
        self._response.close()


def parse_structured(completion: Completion, validate: Callable[[Any], T]) -> T:
    """The completion's answer as JSON, validated; BadStructuredOutput says what was wrong."""
    text = completion.answer
    if completion.cut_at_max_tokens:
        raise BadStructuredOutput(
            "the model stopped at max_tokens before finishing its answer; raise "
            "max_draft_tokens or shorten the input", endpoint=completion.endpoint, raw=text)
    try:
        # Schema-constrained llama.cpp output may hold raw newlines inside strings.
        data = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        raise BadStructuredOutput(f"the model's answer is not JSON ({exc.msg} at {exc.pos})",
                                  endpoint=completion.endpoint, raw=text) from None
    try:
        return validate(data)
    except (ValueError, TypeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BadStructuredOutput(f"the model's answer breaks the schema: {first_line}",
                                  endpoint=completion.endpoint, raw=text) from None


def _with_reasoning(messages: Sequence[Message], reasoning: str) -> list[Message]:
    """The conversation plus the first phase's thinking, for the constrained second phase."""
    if not reasoning:
        return list(messages)
    note = f"\n\n【分析要点（供参考，不要照抄）】\n{reasoning[:4000]}\n\n请按JSON结构作答。"
    last = dict(messages[-1])
    last["content"] = last["content"] + note
    return [*messages[:-1], last]


def _json_body(response: httpx.Response, endpoint: Endpoint) -> dict[str, Any]:
    try:
        response.read()
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ServerError(f"{endpoint.url} answered with something that is not JSON",
                          endpoint=endpoint.url, status=response.status_code) from None
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        raise BoxTimeout(f"{endpoint.url} broke off its answer ({type(exc).__name__})",
                         endpoint=endpoint.url) from None
    if not isinstance(data, dict):
        raise ServerError(f"{endpoint.url} answered JSON that is not an object",
                          endpoint=endpoint.url, status=response.status_code)
    return data


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    """(code or type, message) from the error shapes of llama.cpp, llama-server and vLLM."""
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "", ""
    error = data.get("error", data) if isinstance(data, dict) else {}
    if not isinstance(error, dict):
        return "", str(error)
    code = str(error.get("code") or "")
    kind = str(error.get("type") or "")
    return f"{code} {kind}".strip(), str(error.get("message") or "")


_CONTEXT_CODES = ("context_length_exceeded", "exceed_context_size_error")


def _http_error(response: httpx.Response, endpoint: Endpoint) -> InferenceError:
    status = response.status_code
    code, message = _error_fields(response)
    where = endpoint.url
    if status in (401, 403):
        return AuthFailed(
            f"{where} refused the API key (HTTP {status}); store the right key with "
            "`sentinel box key` or ask IT", endpoint=where)
    if status in _RETRY_STATUSES:
        error = Overloaded(f"{where} is overloaded (HTTP {status}); try again shortly",
                           endpoint=where)
        error.retry_after = _retry_after(response)  # type: ignore[attr-defined]
        return error
    # vLLM gives only a message; "maximum context length" is its fixed wording.
    if any(c in code for c in _CONTEXT_CODES) or "maximum context length" in message:
        return ContextTooLong(
            f"the input is too long for the model's context on {where}; shorten the text or "
            "ask IT for a larger context", endpoint=where)
    if status >= 500:
        # The body of a 500 can hold server paths or the prompt: keep it out of the message.
        log.debug("server error body from %s: %.300s", where, response.text)
        return ServerError(f"{where} failed (HTTP {status}{', ' + code if code else ''})",
                           endpoint=where, status=status)
    return RequestRejected(f"{where} rejected the request (HTTP {status}): {message[:200]}",
                           endpoint=where)


def _certificate_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate failure behind a connection error (httpx wraps httpcore wraps ssl)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _summarise(failures: list[BoxError]) -> BoxError:
    if not failures:
        return Unreachable("no inference box configured; set inference_urls")
    if len(failures) == 1:
        return failures[0]
    detail = "; ".join(str(f) for f in failures)
    last = failures[-1]
    summary = type(last)(f"every inference box failed: {detail}", endpoint=last.endpoint)
    return summary
