"""Client for the hospital's inference box (OpenAI-compatible HTTP)."""

from engine.client.client import (
    Completion,
    InferenceClient,
    StreamEvent,
    Structured,
    parse_structured,
)
from engine.client.config import UNSET, ClientConfig, Endpoint, RetryPolicy, Timeouts
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
from engine.client.reasoning import StreamSplitter, split_reasoning

__all__ = [
    "UNSET",
    "AuthFailed",
    "BadStructuredOutput",
    "BoxError",
    "BoxTimeout",
    "ClientClosed",
    "ClientConfig",
    "Completion",
    "ContextTooLong",
    "Endpoint",
    "InferenceClient",
    "InferenceError",
    "Overloaded",
    "RequestRejected",
    "RetryPolicy",
    "ServerError",
    "StreamEvent",
    "StreamInterrupted",
    "StreamSplitter",
    "Structured",
    "TLSUntrusted",
    "Timeouts",
    "Unreachable",
    "parse_structured",
    "split_reasoning",
]
