"""Real llama_cpp.server processes on 127.0.0.1, one per session and model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.box import LocalBox, ServerOptions, free_port
from tests import models

GEMMA_KEY = "test-key-5b8e"


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
