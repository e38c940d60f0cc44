"""Only the configured hosts are ever contacted.

Patient text may only go to the hospital's own inference box (and the knowledge base to its own
source). `HostGuard` knows the allowed origins (scheme, host and port) from those settings and
refuses every request elsewhere before any name lookup or connection is made:

    guard = HostGuard.from_settings(Settings.load())
    client = guard.client(verify=..., timeout=...)     # hook + guarded transport, no env proxy
    # or, for a client built elsewhere:
    httpx.Client(transport=guard.wrap(inner), event_hooks={"request": [guard.request_hook]})

Both the hook and the transport run before every request, redirects included, so a box that
redirects to another host gets `HostNotAllowed`, not a connection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from engine.errors import EngineError

_DEFAULT_PORTS = {"http": 80, "https": 443}


class HostNotAllowed(EngineError):
    """A request to a host that is not configured was refused before it was sent."""


@dataclass(frozen=True, order=True)
class Origin:
    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def origin_of(url: str | httpx.URL) -> Origin:
    """The scheme, lower-case ASCII host (IDNA) and port of a URL; ValueError if it has none."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    scheme = parsed.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"{url!s} is not an http(s) URL")
    host = parsed.raw_host.decode("ascii").lower().rstrip(".")
    if not host:
        raise ValueError(f"{url!s} names no host")
    return Origin(scheme, host, parsed.port or _DEFAULT_PORTS[scheme])


class _Settings(Protocol):
    def get(self, key: str) -> Any: ...


class HostGuard:
    """The origins the app may contact; everything else is refused."""

    def __init__(self, urls: Iterable[str]) -> None:
        allowed = set()
        for url in urls:
            try:
                allowed.add(origin_of(url))
            except (ValueError, httpx.InvalidURL) as exc:
                raise HostNotAllowed(f"configured URL {url!r} cannot be used: {exc}; fix it in "
                                     "the settings (inference_urls, kb_source)") from None
        self.allowed = frozenset(allowed)

    @classmethod
    def from_settings(cls, settings: _Settings) -> HostGuard:
        """The inference URLs, and the knowledge-base source when it is an http(s) URL."""
        urls = list(settings.get("inference_urls"))
        source = str(settings.get("kb_source") or "")
        if source.lower().startswith(("http://", "https://")):
            urls.append(source)
        return cls(urls)

    def allows(self, url: str | httpx.URL) -> bool:
        try:
            return origin_of(url) in self.allowed
        except (ValueError, httpx.InvalidURL):
            return False

    def check(self, url: str | httpx.URL) -> None:
        if not self.allows(url):
            allowed = ", ".join(str(origin) for origin in sorted(self.allowed)) or "none"
            where = _origin_text(url)
            raise HostNotAllowed(
                f"refused to contact {where}: only the configured hosts may be contacted "
                f"({allowed}). If this host is the hospital's, add it to inference_urls."
            )

    def request_hook(self, request: httpx.Request) -> None:
        """For `event_hooks={"request": [...]}` of an httpx.Client."""
        self.check(request.url)

    async def async_request_hook(self, request: httpx.Request) -> None:
        """For `event_hooks={"request": [...]}` of an httpx.AsyncClient."""
        self.check(request.url)

    def wrap(self, inner: httpx.BaseTransport | None = None, **transport_options: Any
             ) -> GuardedTransport:
        """A transport that checks each request, around `inner` (default: a plain one built
        with `transport_options`, such as verify=...)."""
        return GuardedTransport(self, inner or httpx.HTTPTransport(**transport_options))

    def wrap_async(self, inner: httpx.AsyncBaseTransport | None = None,
                   **transport_options: Any) -> AsyncGuardedTransport:
        return AsyncGuardedTransport(self, inner or httpx.AsyncHTTPTransport(**transport_options))

    def client(self, *, verify: Any = True, transport: httpx.BaseTransport | None = None,
               **options: Any) -> httpx.Client:
        """An httpx.Client that can reach only the allowed origins, never through a proxy
        taken from the environment."""
        hooks = options.pop("event_hooks", {})
        hooks = {**hooks, "request": [self.request_hook, *hooks.get("request", [])]}
        return httpx.Client(transport=self.wrap(transport, verify=verify), event_hooks=hooks,
                            trust_env=False, **options)


class GuardedTransport(httpx.BaseTransport):
    def __init__(self, guard: HostGuard, inner: httpx.BaseTransport) -> None:
        self.guard = guard
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.guard.check(request.url)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncGuardedTransport(httpx.AsyncBaseTransport):
    def __init__(self, guard: HostGuard, inner: httpx.AsyncBaseTransport) -> None:
        self.guard = guard
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.guard.check(request.url)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _origin_text(url: str | httpx.URL) -> str:
    try:
        return str(origin_of(url))
    except (ValueError, httpx.InvalidURL):
        return repr(str(url))
