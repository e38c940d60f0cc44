"""Structured-output dialects of OpenAI-compatible servers.

llama-cpp-python's server honours only `{"type": "json_object", "schema": ...}` and answers 500 to
the OpenAI form; upstream llama-server and vLLM take OpenAI's `{"type": "json_schema", ...}`.
"""

from __future__ import annotations

from typing import Any, Literal

Resolved = Literal["llama_cpp", "openai"]

# What `GET /v1/models` reports as `owned_by` on each server.
_OWNERS = {"me": "llama_cpp", "llamacpp": "openai", "vllm": "openai"}


def detect(models_answer: dict[str, Any]) -> Resolved:
    """The dialect of a server from its `/v1/models` answer; OpenAI's when unsure."""
    for model in models_answer.get("data") or []:
        if isinstance(model, dict) and model.get("owned_by") in _OWNERS:
            return "llama_cpp" if _OWNERS[model["owned_by"]] == "llama_cpp" else "openai"
    return "openai"


def response_format(dialect: Resolved, schema: dict[str, Any], name: str = "answer"
                    ) -> dict[str, Any]:
    if dialect == "llama_cpp":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
