"""`sentinel draft` as a doctor or a script runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from engine.box import LocalBox, free_port
from engine.drafting.model import Draft
from tests.conftest import GEMMA_KEY

SENTINEL = str(Path(sys.executable).with_name("sentinel"))
TEXT = "持续左胸痛3小时压榨 冷汗气促"


def sentinel(*args: str, stdin: bytes | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([SENTINEL, *args], input=stdin, capture_output=True, timeout=900,
                          env={**os.environ, **(env or {})})


def test_the_default_draft_needs_no_box_and_prints_his_text() -> None:
    done = sentinel("draft", "--template", "acs", "--text", TEXT, "--now", "2026-12-03T14:35")
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert "主诉：" in out and "现病史：" in out and "就诊时间：2026-12-03 14:35" in out
    assert "辅助决策" in out, "labelled as decision support"
    assert "rules" in out


def test_json_output_is_a_valid_draft_and_stdin_is_read() -> None:
    done = sentinel("draft", "--text", "-", "--json", "--vitals", '{"hr": 112, "sbp": 150}',
                    stdin=TEXT.encode())
    assert done.returncode == 0, done.stderr.decode()
    draft = Draft.model_validate(json.loads(done.stdout))
    assert draft.provenance.engine == "rules"
    assert "112" in draft.content.physical_exam, "triage vitals reach the exam section"


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("--text", ""), None, "empty"),
    (("--text", "-"), b"\xff\xfe\xb0", "not UTF-8"),
    (("--text", "胸" * 20_001), None, "more than"),
    (("--text", TEXT, "--template", "heart_failure"), None, "heart_failure"),
    (("--text", TEXT, "--vitals", "{hr: 1}"), None, "not valid JSON"),
    (("--text", TEXT, "--vitals", '{"hr": -5}'), None, "hr"),
    (("--text", TEXT, "--vitals", '{"pulse": 80}'), None, "pulse"),
    (("--text", TEXT, "--now", "yesterday"), None, "ISO time"),
    (("--text", TEXT, "--server", "box:8080"), None, "http://"),
    (("--text", TEXT, "--engine", "model"), None, "needs an inference box"),
    ((), None, "--text"),
], ids=["empty", "not-utf8", "huge", "unknown-template", "bad-json", "bad-vital",
        "unknown-vital", "bad-time", "bad-url", "model-without-box", "missing-text"])
def test_bad_input_exits_2_with_one_line(args: tuple[str, ...], stdin: bytes | None,
                                         message: str) -> None:
    done = sentinel("draft", *args, stdin=stdin)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert done.stdout == b""


def test_a_dead_box_is_exit_3_when_the_model_was_asked_for() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    done = sentinel("draft", "--text", TEXT, "--server", dead, "--engine", "model")
    assert done.returncode == 3
    assert "cannot connect" in done.stderr.decode()


def test_a_dead_box_falls_back_to_the_rules_draft_in_auto() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    done = sentinel("draft", "--text", TEXT, "--server", dead)
    assert done.returncode == 0
    assert "主诉：" in done.stdout.decode()
    assert "规则引擎草稿" in done.stderr.decode()


@pytest.mark.slow
@pytest.mark.needs_server
@pytest.mark.timeout(900)  # a 270M model writing two constrained answers on 2 shared cores
def test_a_model_draft_through_a_real_server(gemma_box: LocalBox) -> None:
    done = sentinel("draft", "--template", "acs", "--text", TEXT, "--json",
                    "--server", gemma_box.url, "--engine", "model",
                    env={"SENTINEL_API_KEY": GEMMA_KEY})
    assert done.returncode == 0, done.stderr.decode()
    draft = Draft.model_validate(json.loads(done.stdout))
    assert draft.provenance.engine == "rules+model"
    assert draft.provenance.server == gemma_box.url
    assert draft.provenance.prompt_id == "acs"
    assert draft.content.risk_assessment, "the scores still come from code"


def test_box_serve_refuses_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"not a model")
    done = sentinel("box", "serve", "--model", str(fake))
    assert done.returncode == 2
    assert "not a GGUF model" in done.stderr.decode()


@pytest.mark.slow
@pytest.mark.needs_server
def test_box_serve_runs_a_server_that_wants_its_key(deepseek_model: Path) -> None:
    port = free_port()
    env = {**os.environ, "BOX_KEY": "k-123"}
    server = subprocess.Popen([SENTINEL, "box", "serve", "--model", str(deepseek_model),
                               "--port", str(port), "--threads", "1", "--context", "512",
                               "--api-key-env", "BOX_KEY"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/v1/models"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "the server exited"
            try:
                denied = httpx.get(url, timeout=1, trust_env=False)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not come up in 60 s"
                time.sleep(0.1)
        assert denied.status_code == 401
        allowed = httpx.get(url, headers={"Authorization": "Bearer k-123"}, timeout=5,
                            trust_env=False)
        assert allowed.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
