"""A process killed with SIGKILL while the doctor types or dictates loses nothing saved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from engine.storage import CaseJournal

REPO = Path(__file__).resolve().parents[2]
FIRST = "持续左胸痛3小时，压榨样，伴冷汗"
REST = "气促恶心，既往高血压。"


def _kill_while_typing(home: Path, mode: str, keystrokes_after_save: int) -> tuple[str, int]:
    """Run the typist, kill -9 it mid-sentence; its case id and how far it had typed."""
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.storage.typist", str(home), mode, FIRST, REST],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout is not None
        first_line = child.stdout.readline().split()
        assert first_line[:1] == ["saved"], child.stderr.read() if child.stderr else ""
        case_id = first_line[1]
        typed = 0
        for _ in range(keystrokes_after_save):
            typed = int(child.stdout.readline().split()[1])
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL
    return case_id, typed


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyring both processes share: keyrings.alt's file backend in the test's folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    keyring.set_keyring(PlaintextKeyring())


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["typing", "dictation"])
def test_sigkill_mid_sentence_keeps_what_was_typed(sentinel_home: Path, file_keyring: None,
                                                   mode: str) -> None:
    case_id, typed = _kill_while_typing(sentinel_home, mode, keystrokes_after_save=150)

    journal = CaseJournal.open(sentinel_home, retention_hours=24)
    try:
        [case] = journal.open_cases()
        field = "typed_text" if mode == "typing" else "dictation_partial"
        text = case.values[field]
        assert isinstance(text, str)
        assert case.case_id == case_id
        # All that was saved before the kill is there, whole; what came after is a clean
        # prefix of what was typed (never a torn or mixed value).
        assert text.startswith(FIRST)
        assert len(FIRST) <= len(text) <= typed
        expected = FIRST + (REST * (typed // len(REST) + 1))
        assert expected.startswith(text)
        assert journal.notices() == []  # a kill is not damage: nothing to move aside
        if mode == "dictation":
            audio = journal.audio(case_id)
            assert len(audio) % 320 == 0 and len(audio) >= 320 * len(FIRST)
    finally:
        journal.close()
