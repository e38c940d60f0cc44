"""Only the configured hosts are ever contacted: no lookup, no connection, anywhere else."""

from __future__ import annotations

import asyncio
import http.server
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from engine.net_guard import HostGuard, HostNotAllowed, origin_of
from engine.settings import Settings

_CONNECTS: list[object] = []
_LOOKUPS: list[object] = []
_RECORDING = threading.Event()
_HOOKED: list[bool] = []


def _watch(event: str, args: tuple) -> None:
    if not _RECORDING.is_set():
        return
    if event == "socket.connect":
        _CONNECTS.append(args[1])
    elif event == "socket.getaddrinfo":
        _LOOKUPS.append(args[0])


@pytest.fixture
def network() -> Iterator[tuple[list[object], list[object]]]:
    """Every connect() and name lookup made by this process while the test runs."""
    if not _HOOKED:  # audit hooks cannot be removed: install one, switch it on and off
        sys.addaudithook(_watch)
        _HOOKED.append(True)
    _CONNECTS.clear()
    _LOOKUPS.clear()
    _RECORDING.set()
    yield _CONNECTS, _LOOKUPS
    _RECORDING.clear()


class _Server(http.server.ThreadingHTTPServer):
    connections = 0

    def verify_request(self, request, client_address) -> bool:  # type: ignore[override]
        self.connections += 1
        return True


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path.split("=", 1)[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(host: str) -> Iterator[_Server]:
    server = _Server((host, 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def box() -> Iterator[_Server]:
    """The hospital's inference box: the one configured host."""
    yield from _serve("127.0.0.1")


@pytest.fixture
def elsewhere() -> Iterator[_Server]:
    """A host nobody configured (another loopback address)."""
    yield from _serve("127.0.0.2")


@pytest.fixture
def same_host_other_port() -> Iterator[_Server]:
    yield from _serve("127.0.0.1")


def _url(server: _Server, path: str = "/") -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{path}"


def test_the_configured_host_is_reached_and_nothing_else(box, elsewhere, same_host_other_port,
                                                         network) -> None:
    connects, _ = network
    guard = HostGuard([_url(box)])
    with guard.client(timeout=10) as client:
        assert client.get(_url(box, "/v1/models")).text == "ok"
        for refused in (_url(elsewhere), _url(same_host_other_port),
                        _url(box).replace("http://", "https://")):
            with pytest.raises(HostNotAllowed, match="only the configured hosts"):
                client.get(refused)

    assert connects == [box.server_address[:2]]
    assert elsewhere.connections == 0 and same_host_other_port.connections == 0


def test_an_unknown_name_is_not_even_looked_up(box, network) -> None:
    connects, lookups = network
    client = HostGuard([_url(box)]).client(timeout=10)
    with client, pytest.raises(HostNotAllowed, match=r"evil\.invalid"):
        client.post("http://evil.invalid/v1/chat/completions", json={"text": "胸痛"})
    assert lookups == [] and connects == []


def test_a_redirect_to_another_host_is_refused(box, elsewhere, network) -> None:
    connects, _ = network
    client = HostGuard([_url(box)]).client(timeout=10, follow_redirects=True)
    with client, pytest.raises(HostNotAllowed):
        client.get(_url(box, f"/redirect?to={_url(elsewhere)}"))
    assert elsewhere.connections == 0
    assert connects == [box.server_address[:2]]


def test_a_proxy_from_the_environment_is_not_used(box, elsewhere, network,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, _url(elsewhere))
    with HostGuard([_url(box)]).client(timeout=10) as client:
        assert client.get(_url(box)).text == "ok"
    assert elsewhere.connections == 0


def test_the_transport_alone_refuses_other_hosts(box, elsewhere, network) -> None:
    """A client built elsewhere (the inference client) with only our transport is guarded."""
    guard = HostGuard([_url(box)])
    with httpx.Client(transport=guard.wrap(), trust_env=False, timeout=10) as client:
        assert client.get(_url(box)).status_code == 200
        with pytest.raises(HostNotAllowed):
            client.get(_url(elsewhere))
    assert elsewhere.connections == 0


def test_the_request_hook_alone_refuses_other_hosts(box, elsewhere, network) -> None:
    guard = HostGuard([_url(box)])
    hooks = {"request": [guard.request_hook]}
    client = httpx.Client(event_hooks=hooks, trust_env=False, timeout=10)
    with client, pytest.raises(HostNotAllowed):
        client.get(_url(elsewhere))
    assert elsewhere.connections == 0


def test_async_clients_are_guarded_too(box, elsewhere, network) -> None:
    guard = HostGuard([_url(box)])

    async def run() -> str:
        hooks = {"request": [guard.async_request_hook]}
        async with httpx.AsyncClient(transport=guard.wrap_async(), event_hooks=hooks,
                                     trust_env=False, timeout=10) as client:
            with pytest.raises(HostNotAllowed):
                await client.get(_url(elsewhere))
            return (await client.get(_url(box))).text

    assert asyncio.run(run()) == "ok"
    assert elsewhere.connections == 0


def test_hosts_come_from_the_settings(tmp_path: Path) -> None:
    policy = {"inference_urls": ["https://box.hospital.local:8443/v1", "http://10.1.2.3:8080"],
              "kb_source": "https://kb.hospital.local/bundles"}
    (tmp_path / "policy.json").write_text(json.dumps(policy), "utf-8")
    guard = HostGuard.from_settings(Settings.load())
    assert guard.allows("https://BOX.Hospital.Local.:8443/v1/chat/completions")
    assert guard.allows("http://10.1.2.3:8080/v1/models")
    assert guard.allows("https://kb.hospital.local/bundles/latest.json")
    assert not guard.allows("http://box.hospital.local:8443/")  # scheme differs
    assert not guard.allows("https://box.hospital.local/")  # port differs (443)
    assert not guard.allows("https://api.openai.com/v1")
    assert not guard.allows("ftp://10.1.2.3:8080/")
    assert not guard.allows("not a url")


def test_a_local_kb_folder_adds_no_host(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text(json.dumps({"kb_source": r"\\share\kb"}), "utf-8")
    assert HostGuard.from_settings(Settings.load()).allowed == frozenset()


def test_a_bad_configured_url_is_named() -> None:
    with pytest.raises(HostNotAllowed, match="inference_urls"):
        HostGuard(["box.local:8080"])


def test_with_nothing_configured_everything_is_refused(network) -> None:
    connects, lookups = network
    client = HostGuard([]).client()
    with client, pytest.raises(HostNotAllowed, match=r"\(none\)"):
        client.get("http://127.0.0.1:9/")
    assert connects == [] and lookups == []


def test_origins_are_normalised() -> None:
    assert origin_of("HTTP://Box.Local.:80/x") == origin_of("http://box.local/")
    assert str(origin_of("https://[::1]/")) == "https://[::1]:443"
    assert origin_of("https://bücher.example/").host == "xn--bcher-kva.example"
