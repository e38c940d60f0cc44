"""Building a Drafter from the workstation's settings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.client import ClientConfig, Endpoint, InferenceClient, RetryPolicy, Timeouts
from engine.drafting.pipeline import Drafter, ModelSettings
from engine.settings import Settings


def client_config(settings: Settings, servers: Sequence[str] = ()) -> ClientConfig | None:
    """The client's configuration, or None when no inference box is configured."""
    urls = list(servers) or settings.get("inference_urls")
    if not urls:
        return None
    ca_bundle = settings.get("ca_bundle")
    insecure = set(settings.get("tls_insecure_hosts"))
    endpoints = []
    for url in urls:
        endpoint = Endpoint(url)
        verify = settings.get("tls_verify") and endpoint.host not in insecure
        endpoints.append(Endpoint(url, verify_tls=verify,
                                  ca_bundle=Path(ca_bundle) if ca_bundle else None))
    return ClientConfig(
        endpoints=tuple(endpoints),
        model=settings.get("model") or None,
        dialect=settings.get("dialect"),
        timeouts=Timeouts(connect=settings.get("connect_timeout_s"),
                          read=settings.get("read_timeout_s")),
        retry=RetryPolicy(attempts=settings.get("retries") + 1),
    )


def make_drafter(settings: Settings, servers: Sequence[str] = (), *,
                 stream: bool = True) -> Drafter:
    """A Drafter with a client when a box is configured, the rules engine alone otherwise."""
    config = client_config(settings, servers)
    client = InferenceClient(config) if config is not None else None
    model = ModelSettings(
        reasoning_mode=settings.get("reasoning_mode"),
        reasoning_budget=settings.get("reasoning_budget_tokens"),
        max_tokens=settings.get("max_draft_tokens"),
        stream=stream,
        temperature=settings.get("temperature"),
    )
    return Drafter(client=client, model=model,
                   troponin_protocol=settings.get("troponin_protocol"))
