"""Logs hold no patient text, API keys or prompts at INFO and above."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from engine.logs import MAX_MESSAGE_CHARS, RedactingFilter, redact
from tests.storage.helpers import PATIENT_TEXT, PATIENT_WORDS

REPO = Path(__file__).resolve().parents[2]
API_KEY = "sk-live-9f8e7d6c5b4a3f2e1d0c"


@pytest.fixture
def captured() -> tuple[logging.Logger, io.StringIO]:
    """A logger whose handler carries our filter, as configure_logging sets it up."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.storage.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


@pytest.mark.parametrize(("text", "gone", "kept"), [
    (f"POST /v1/chat/completions Authorization: Bearer {API_KEY}", API_KEY, "POST"),
    ("headers={'authorization': 'Bearer abc.def-ghi'}", "abc.def-ghi", "headers"),
    (f"key {API_KEY} rejected (401)", "9f8e7d6c", "rejected (401)"),
    ("retry with api_key=hunter2secret", "hunter2secret", "retry with"),
    ('{"token": "tok_12345678"}', "tok_12345678", "token"),
    (f"draft failed for {PATIENT_TEXT}: timeout", "胸痛", "draft failed for"),
    ("parsed 胸痛3小时 HR 110 冷汗", "HR 110", "parsed"),
    ('request {"messages": [{"role": "user", "content": "写病历 chest pain"}]}', "chest pain",
     "role"),
    ('{"prompt": "You are an ED doctor. Patient: chest pain"}', "chest pain", "prompt"),
])
def test_redact_removes_keys_patient_text_and_prompts(text: str, gone: str,
                                                      kept: str) -> None:
    result = redact(text)
    assert gone not in result
    assert kept in result


def test_plain_english_messages_pass_unchanged() -> None:
    message = "box http://10.0.0.5:8080 answered 503; retrying in 2.0 s (attempt 2 of 3)"
    assert redact(message) == message


def test_long_messages_are_cut() -> None:
    result = redact("x" * (MAX_MESSAGE_CHARS * 3))
    assert len(result) < MAX_MESSAGE_CHARS + 50 and "chars cut" in result


def test_info_and_above_carry_no_patient_text(captured) -> None:
    logger, stream = captured
    logger.info("dictation: %s", PATIENT_TEXT)
    logger.warning("bad draft %r", {"present_illness": PATIENT_TEXT})
    logger.error("box refused key %s", API_KEY)
    output = stream.getvalue()
    for word in PATIENT_WORDS:
        assert word not in output
    assert API_KEY not in output
    assert output.count("[text redacted") == 2 and "[key redacted]" in output


def test_exceptions_are_redacted_too(captured) -> None:
    logger, stream = captured
    try:
        raise ValueError(f"could not parse {PATIENT_TEXT} with key {API_KEY}")
    except ValueError:
        logger.exception("parse failed")
    output = stream.getvalue()
    assert "Traceback" in output and "ValueError" in output
    assert "冷汗气促" not in output and API_KEY not in output


def test_debug_keeps_chinese_for_developers_but_never_keys(captured) -> None:
    logger, stream = captured
    logger.debug("tokens for %s with %s", "胸痛", API_KEY)
    output = stream.getvalue()
    assert "胸痛" in output and API_KEY not in output


def test_the_filter_drops_nothing(captured) -> None:
    logger, stream = captured
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR):
        logger.log(level, "line %d", level)
    assert len(stream.getvalue().splitlines()) == 4


def test_configure_logging_writes_a_redacted_file(tmp_path: Path) -> None:
    """In a child process, since configure_logging sets up the root logger once per process."""
    script = (
        "import logging, sys\n"
        "from pathlib import Path\n"
        "from engine.logs import configure_logging\n"
        "path = configure_logging(0, Path(sys.argv[1]))\n"
        "assert configure_logging(0, Path(sys.argv[1])) == path\n"
        "log = logging.getLogger('engine.test')\n"
        "log.debug('debug %s', sys.argv[2])\n"
        "log.info('info %s', sys.argv[2])\n"
        "log.warning('warn %s key %s', sys.argv[2], sys.argv[3])\n"
        "print(path)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path), PATIENT_TEXT, API_KEY],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    log_file = Path(done.stdout.strip())
    written = log_file.read_text("utf-8")
    assert len(written.splitlines()) == 3  # debug, info and warning, each once
    for word in PATIENT_WORDS:
        assert word not in written and word not in done.stderr
    assert API_KEY not in written and API_KEY not in done.stderr
    assert "WARNING engine.test: warn [text redacted" in done.stderr


def test_escaped_patient_text_is_redacted_too(captured) -> None:
    logger, stream = captured
    logger.info("answer %s", json.dumps({"complaint": PATIENT_TEXT}))  # \\u escapes
    logger.info("raw %r", PATIENT_TEXT.encode())  # b'\\xe6\\x8c...'
    output = stream.getvalue()
    assert json.dumps("冷汗")[1:-1] not in output
    assert repr("冷汗".encode())[2:-1] not in output
    assert output.count("[text redacted]") == 2
