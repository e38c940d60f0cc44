"""`sentinel panel` and `python -m desktop` as processes: refuse a bad hand-over before any
window, start one panel per user, and hand a second start's visit to the running one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtNetwork import QLocalSocket

from desktop.channel import channel_name

pytestmark = [pytest.mark.gui, pytest.mark.slow]

VISIT = {"visit": {"id": "E20261203-0099", "time": "2026-12-03T18:05"},
         "patient": {"age": 45, "sex": "female"}, "vitals": {"hr": 92}}


def run(*args: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, *args], input=stdin, capture_output=True,
                          timeout=timeout, env=dict(os.environ))


def listening(name: str) -> bool:
    probe = QLocalSocket()
    probe.connectToServer(name)
    answered = probe.waitForConnected(200)
    probe.abort()
    return answered


@pytest.mark.parametrize("module", [("-m", "desktop"), ("-m", "engine.cli.main", "panel")])
def test_a_bad_handover_is_refused_before_a_window_opens(tmp_path: Path,
                                                         module: tuple[str, ...]) -> None:
    bad = tmp_path / "visit.json"
    bad.write_text(json.dumps({"visit": {"id": "E1", "time": "later"}}), "utf-8")
    done = run(*module, "--handover", str(bad))
    assert done.returncode == 2
    assert "visit.time" in done.stderr.decode("utf-8")


def test_one_panel_per_user_and_a_second_start_hands_over(qapp: Any, tmp_path: Path,
                                                          sentinel_home: Path) -> None:
    panel = subprocess.Popen([sys.executable, "-m", "desktop"], env=dict(os.environ),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not listening(channel_name(sentinel_home)):
            assert panel.poll() is None, panel.stderr.read().decode() if panel.stderr else ""
            assert time.monotonic() < deadline, "the panel did not start listening"
            time.sleep(0.1)

        visit = tmp_path / "visit.json"
        visit.write_text(json.dumps(VISIT), "utf-8")
        second = run("-m", "engine.cli.main", "panel", "--handover", str(visit))
        assert second.returncode == 0, second.stderr.decode("utf-8")
        assert panel.poll() is None  # the first one still runs; the second has gone

        sent = run("-m", "engine.cli.main", "open", "-",
                   stdin=json.dumps(VISIT).encode("utf-8"))
        assert sent.returncode == 0, sent.stderr.decode("utf-8")
        assert b"hand-over sent" in sent.stdout

        refused = run("-m", "engine.cli.main", "open", "-", stdin=b"{\"visit\": 1}")
        assert refused.returncode == 2
    finally:
        panel.terminate()
        panel.communicate(timeout=30)
