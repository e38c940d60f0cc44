"""Errors of the inference client.

    InferenceError (engine.errors.EngineError)
    ├── BoxError (exit 3: the box could not do the work; the environment's fault)
    │   ├── Unreachable            no endpoint accepted a connection
    │   ├── BoxTimeout             an endpoint connected but did not answer in time
    │   ├── Overloaded             429 or 503 on every try
    │   ├── ServerError            5xx, or an answer that is not the API's JSON
    │   └── StreamInterrupted      a stream ended before the server said it was done
    ├── AuthFailed (exit 2)        401/403: the API key is missing or wrong
    ├── TLSUntrusted (exit 2)      the box's certificate does not verify against our CAs
    ├── ContextTooLong (exit 2)    the prompt does not fit the model's context
    ├── RequestRejected (exit 2)   400/404/422 for another reason
    ├── BadStructuredOutput        the answer is not valid JSON or breaks the schema
    └── ClientClosed               the client was used after close()
"""

from __future__ import annotations

from engine.errors import BadInput, BoxUnavailable, EngineError


class InferenceError(EngineError):
    """Base of every error raised by the inference client."""

    def __init__(self, message: str, *, endpoint: str | None = None) -> None:
        self.endpoint = endpoint
        super().__init__(message)


class BoxError(InferenceError, BoxUnavailable):
    """The inference box could not do the work; drafting falls back to the rules engine."""

    exit_code = 3


class Unreachable(BoxError):
    """No endpoint accepted a connection."""


class BoxTimeout(BoxError):
    """An endpoint accepted the connection but did not answer in time."""


class Overloaded(BoxError):
    """The box answered 429 or 503 on every try."""


class ServerError(BoxError):
    """The box failed (5xx) or answered something that is not the API's JSON."""

    def __init__(self, message: str, *, endpoint: str | None = None,
                 status: int | None = None) -> None:
        self.status = status
        super().__init__(message, endpoint=endpoint)


class StreamInterrupted(BoxError):
    """A streamed answer ended before the server said it was complete."""

    def __init__(self, message: str, *, endpoint: str | None = None, partial: str = "") -> None:
        self.partial = partial
        super().__init__(message, endpoint=endpoint)


class AuthFailed(InferenceError, BadInput):
    """The box refused the API key (401/403)."""


class TLSUntrusted(InferenceError, BadInput):
    """The box's TLS certificate did not verify: a setting (ca_bundle) is wrong, or the box is
    not the one it claims to be."""


class ContextTooLong(InferenceError, BadInput):
    """The prompt is longer than the model's context window."""


class RequestRejected(InferenceError, BadInput):
    """The box rejected the request (400/404/422) for a reason other than context length."""


class BadStructuredOutput(InferenceError):
    """The model's answer is not valid JSON, or does not match the schema."""

    def __init__(self, message: str, *, endpoint: str | None = None, raw: str = "") -> None:
        self.raw = raw
        super().__init__(message, endpoint=endpoint)


class ClientClosed(InferenceError):
    """The client was used after it was closed."""
