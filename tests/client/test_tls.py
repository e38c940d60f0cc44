"""TLS to the box: verified against the configured CA bundle, refused otherwise."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from engine.client import ClientConfig, Endpoint, InferenceClient, RetryPolicy, TLSUntrusted
from engine.errors import BadInput


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A CA-less self-signed certificate for 127.0.0.1, as a small hospital box might use."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "box.test")])
    now = datetime.datetime.now(datetime.UTC)

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "box.pem", folder / "box.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Models(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"data": [{"id": "m", "owned_by": "vllm"}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def tls_box(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = self_signed(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Models)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()
    thread.join()


def client(endpoint: Endpoint) -> InferenceClient:
    return InferenceClient(ClientConfig(endpoints=(endpoint,), retry=RetryPolicy(attempts=1)))


def test_the_configured_ca_bundle_is_trusted(tls_box: tuple[str, Path]) -> None:
    url, cert = tls_box
    with client(Endpoint(url, ca_bundle=cert)) as c:
        assert c.models() == ["m"]


def test_an_untrusted_certificate_is_refused_with_what_to_fix(
    tls_box: tuple[str, Path]
) -> None:
    url, _ = tls_box
    with client(Endpoint(url)) as c, pytest.raises(TLSUntrusted, match="ca_bundle") as caught:
        c.models()
    assert caught.value.exit_code == 2


def test_verification_can_be_turned_off_for_a_named_host(tls_box: tuple[str, Path]) -> None:
    url, _ = tls_box
    with client(Endpoint(url, verify_tls=False)) as c:
        assert c.models() == ["m"]


def test_a_missing_ca_bundle_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ca.pem"
    with client(Endpoint("https://127.0.0.1:9", ca_bundle=missing)) as c, \
            pytest.raises(BadInput, match=r"no-such-ca\.pem"):
        c.models()
