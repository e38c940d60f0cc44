"""Configuration of the inference client: endpoints, timeouts, retries, TLS, dialect."""

from __future__ import annotations

import enum
import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from engine.errors import BadInput


class _Unset(enum.Enum):
    """Marks a timeout that was not given, as distinct from None (wait forever)."""

    UNSET = "UNSET"


UNSET = _Unset.UNSET

Dialect = Literal["auto", "llama_cpp", "openai"]


@dataclass(frozen=True)
class Timeouts:
    """Seconds for each phase of a request; None waits forever, UNSET takes the default."""

    connect: float | _Unset | None = UNSET
    read: float | _Unset | None = UNSET
    write: float | _Unset | None = UNSET
    pool: float | _Unset | None = UNSET

    DEFAULTS: ClassVar[dict[str, float]] = {
        "connect": 3.0, "read": 120.0, "write": 30.0, "pool": 5.0,
    }

    def resolved(self) -> dict[str, float | None]:
        """Every phase with a value: UNSET phases take the built-in defaults."""
        values: dict[str, float | None] = {}
        for name, default in self.DEFAULTS.items():
            value = getattr(self, name)
            values[name] = default if value is UNSET else value
        return values

    def merged(self, other: Timeouts) -> Timeouts:
        """These timeouts with every phase set in `other` taking its place."""
        changes = {name: getattr(other, name) for name in self.DEFAULTS
                   if getattr(other, name) is not UNSET}
        return replace(self, **changes)


@dataclass(frozen=True)
class RetryPolicy:
    """Retries on connection errors, 429 and 503, with exponential backoff."""

    attempts: int = 3
    backoff_s: float = 0.25
    max_backoff_s: float = 4.0

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff_s)
        return float(min(self.backoff_s * (2**retry), self.max_backoff_s))


@dataclass(frozen=True)
class Endpoint:
    """One inference box: its base URL (without /v1) and how to trust it."""

    url: str
    verify_tls: bool = True
    ca_bundle: Path | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadInput(
                f"inference URL {self.url!r} is not http(s)://host[:port]; "
                "set it like http://10.1.2.3:8080"
            )
        object.__setattr__(self, "url", self.url.rstrip("/").removesuffix("/v1"))

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def ssl_context(self) -> ssl.SSLContext | bool:
        """What httpx's `verify` takes: False, or a context with our CA bundle."""
        if not self.verify_tls:
            return False
        if self.ca_bundle is None:
            return ssl.create_default_context()
        if not self.ca_bundle.is_file():
            raise BadInput(f"CA bundle {self.ca_bundle} does not exist; fix setting ca_bundle")
        return ssl.create_default_context(cafile=str(self.ca_bundle))


@dataclass(frozen=True)
class ClientConfig:
    """Everything the client needs to reach the box, in the order endpoints are tried."""

    endpoints: tuple[Endpoint, ...]
    model: str | None = None
    dialect: Dialect = "auto"
    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if not self.endpoints:
            raise BadInput("no inference box configured; set inference_urls or pass --server")
