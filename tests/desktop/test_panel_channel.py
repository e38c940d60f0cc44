"""`sentinel open` hands a visit to the running panel over the per-user local channel."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop.channel import channel_name
from desktop.errors import HandoverRefused
from desktop.handover import parse_handover

pytestmark = pytest.mark.gui

HANDOVER = {
    "visit": {"id": "E20261203-0077", "time": "2026-12-03T09:05"},
    "patient": {"age": 71, "sex": "女"},
    "doctor": {"his_user_id": "D2048"},
    "vitals": {"hr": 96, "sbp": 182, "dbp": 104, "sbp_left": 182, "sbp_right": 150},
}


def sentinel(*args: str, stdin: bytes | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "engine.cli.main", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ))


def finish(qtbot: Any, process: subprocess.Popen[bytes], stdin: bytes | None = None
           ) -> tuple[int, str]:
    """Let the panel's event loop run while the command talks to it."""
    if stdin is not None and process.stdin is not None:
        process.stdin.write(stdin)
    if process.stdin is not None:
        process.stdin.close()
        process.stdin = None
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=60_000)
    _out, err = process.communicate()
    return process.returncode, err.decode("utf-8")


def test_sentinel_open_fills_the_running_panel(make_panel: Any, qtbot: Any,
                                                sentinel_home: Path, tmp_path: Path) -> None:
    panel = make_panel(channel_name=channel_name(sentinel_home))
    visit = tmp_path / "visit.json"
    visit.write_text(json.dumps(HANDOVER, ensure_ascii=False), "utf-8")

    with qtbot.waitSignal(panel.channel.handover_received, timeout=30_000):
        code, err = finish(qtbot, sentinel("open", str(visit)))
    assert code == 0, err
    qtbot.waitUntil(lambda: panel.session.inputs.visit_id == "E20261203-0077")
    inputs = panel.session.inputs
    assert (inputs.age, inputs.sex, inputs.his_user_id) == (71, "female", "D2048")
    assert inputs.vitals["sbp_left"] == 182 and "sbp_left" in inputs.triage_vitals
    assert "右臂 150" in panel.window.input_panel.arms.text()


def test_sentinel_open_reads_stdin(make_panel: Any, qtbot: Any, sentinel_home: Path) -> None:
    panel = make_panel(channel_name=channel_name(sentinel_home))
    code, err = finish(qtbot, sentinel("open", "-"), json.dumps(HANDOVER).encode("utf-8"))
    assert code == 0, err
    qtbot.waitUntil(lambda: panel.session.inputs.visit_id == "E20261203-0077")


@pytest.mark.parametrize(("content", "says"), [
    (b"{\"visit\": {\"id\": \"E1\"}}", "visit.time: required"),
    (b"not json", "not JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b"{\"visit\": {\"id\": \"E1\", \"time\": \"2026-12-03T09:05\"}, \"bed\": 3}",
     "bed: unknown field"),
])
def test_a_malformed_handover_is_refused_before_it_is_sent(
        make_panel: Any, qtbot: Any, sentinel_home: Path, tmp_path: Path, content: bytes,
        says: str) -> None:
    panel = make_panel(channel_name=channel_name(sentinel_home))
    visit = tmp_path / "visit.json"
    visit.write_bytes(content)

    code, err = finish(qtbot, sentinel("open", str(visit)))
    assert code == 2
    assert says in err
    assert panel.session.inputs.visit_id is None


def test_the_panel_itself_refuses_a_malformed_handover(make_panel: Any, qtbot: Any) -> None:
    panel = make_panel()
    with qtbot.waitSignal(panel.channel.handover_refused) as refused:
        reply = panel.channel.deliver(b"{\"visit\": {\"id\": \"E1\", \"time\": \"soon\"}}")
    assert reply["ok"] is False and "visit.time" in str(reply["error"])
    assert "visit.time" in refused.args[0]
    assert "HIS 交接数据被拒绝" in panel.window.message_banner.text()
    assert panel.session.inputs.visit_id is None


def test_no_panel_running_is_exit_4(tmp_path: Path) -> None:
    visit = tmp_path / "visit.json"
    visit.write_text(json.dumps(HANDOVER), "utf-8")
    process = sentinel("open", str(visit))
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 4
    assert "no ED Sentinel panel is running" in err.decode("utf-8")


def test_a_missing_file_is_exit_2(tmp_path: Path) -> None:
    process = sentinel("open", str(tmp_path / "nowhere.json"))
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "no hand-over file" in err.decode("utf-8")


def test_only_this_user_can_reach_the_channel(make_panel: Any, sentinel_home: Path) -> None:
    panel = make_panel(channel_name=channel_name(sentinel_home))
    socket_path = Path(panel.channel._server.fullServerName())
    mode = stat.S_IMODE(socket_path.stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)  # no group or other access (UserAccessOption)
    assert socket_path.stat().st_uid == os.getuid()


def test_two_data_folders_have_two_channels(tmp_path: Path) -> None:
    assert channel_name(tmp_path / "a") != channel_name(tmp_path / "b")
    assert channel_name(tmp_path / "a") == channel_name(tmp_path / "a")


def test_the_handover_model_round_trips() -> None:
    handover = parse_handover(json.dumps(HANDOVER).encode("utf-8"))
    assert parse_handover(handover.to_json()) == handover
    with pytest.raises(HandoverRefused, match=r"patient\.age"):
        parse_handover({**HANDOVER, "patient": {"age": True}})
    with pytest.raises(HandoverRefused, match=r"patient\.sex"):
        parse_handover({**HANDOVER, "patient": {"sex": "M"}})
    with pytest.raises(HandoverRefused, match=r"visit\.id"):
        parse_handover({**HANDOVER, "visit": {"id": " E1", "time": "2026-12-03T09:05"}})
    with pytest.raises(HandoverRefused, match=r"doctor\.his_user_id"):
        parse_handover({**HANDOVER, "doctor": {"his_user_id": ""}})


def test_a_second_panel_of_the_same_user_does_not_start(make_panel: Any,
                                                       sentinel_home: Path) -> None:
    first = make_panel(channel_name=channel_name(sentinel_home))
    second = make_panel(channel_name=channel_name(sentinel_home), start=False)
    assert second.start() is False
    assert first.channel._server.isListening()
    assert second.session.journal is None  # nothing else was started
