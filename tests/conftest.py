"""Fixtures every test gets: an isolated data folder, policy and installer files, and keyring."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from engine.box import LocalBox, ServerOptions, free_port
from tests import models

GEMMA_KEY = "test-key-5b8e"
SHARED_CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps secrets in memory, for headless test machines."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def sentinel_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every piece of state at a temporary folder; nothing touches the user's own."""
    home = tmp_path / "sentinel-home"
    home.mkdir()
    monkeypatch.setenv("SENTINEL_HOME", str(home))
    monkeypatch.setenv("SENTINEL_POLICY_FILE", str(tmp_path / "policy.json"))
    monkeypatch.setenv("SENTINEL_INSTALLER_FILE", str(tmp_path / "installer.json"))
    monkeypatch.delenv("SENTINEL_API_KEY", raising=False)
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def load_jsonl(name: str) -> list[dict]:
    """Cases from ../shared/cases, one JSON object a line."""
    path = SHARED_CASES / name
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


# Real llama_cpp.server processes on 127.0.0.1, one per session and model, started on use.


@pytest.fixture(scope="session")
def gemma_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBox]:
    """Gemma 3 270M behind an API key (its chat format drops system messages)."""
    log = tmp_path_factory.mktemp("gemma") / "server.log"
    options = ServerOptions(model=models.gemma(), port=free_port(), chat_format="gemma",
                            context=2048, api_key=GEMMA_KEY)
    with LocalBox(options, log_path=log) as box:
        yield box


@pytest.fixture(scope="session")
def deepseek_model() -> Path:
    return models.tiny_deepseek()


@pytest.fixture(scope="session")
def deepseek_box(deepseek_model: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBox]:
    """The tiny DeepSeek-R1-tokenizer model, chat template taken from its GGUF."""
    log = tmp_path_factory.mktemp("deepseek") / "server.log"
    options = ServerOptions(model=deepseek_model, port=free_port(), context=1024)
    with LocalBox(options, log_path=log) as box:
        yield box
