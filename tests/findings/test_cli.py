"""`sentinel assess` as a user runs it: a real subprocess, JSON on stdout, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def sentinel(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "engine.cli.main", "assess", *args],
                          input=stdin, capture_output=True, cwd=ROOT, timeout=120, check=False)


def output(*args: str, stdin: bytes | None = None) -> dict[str, Any]:
    done = sentinel(*args, stdin=stdin)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_prints_the_assessment_as_json() -> None:
    text = "男，62岁，持续左胸痛3小时，压榨样，向左上肢放射，伴冷汗、气促，无发热。"
    result = output("--template", "acs", "--now", "2024-05-01T14:00", text)
    assert set(result) == {"findings", "scores", "questions", "red_flags", "risk_level"}
    findings = result["findings"]
    assert findings["present"] == ["chest_pain", "diaphoresis", "dyspnea"]
    assert findings["absent"] == ["fever"] and findings["age"] == 62
    start, end = findings["evidence"]["absent:fever"][0]
    assert text[start:end] == "发热"
    assert set(result["scores"]) == {"heart", "edacs", "timi"}
    assert result["risk_level"] == "高危"


def test_reads_stdin_with_a_dash() -> None:
    result = output("-", stdin="持续 胸痛 两 个 小时 伴 出汗 没有 发烧".encode())
    assert result["findings"]["duration_minutes"] == 120
    assert result["findings"]["absent"] == ["fever"]


def test_vitals_inline_and_from_a_file(tmp_path: Path) -> None:
    inline = output("--vitals", '{"hr": 120, "spo2": 91}', "胸痛，心率88次/分")
    assert any(f["id"] == "vitals_disagree_hr" for f in inline["red_flags"])
    path = tmp_path / "vitals.json"
    path.write_text('{"sbp": 80}', "utf-8")
    from_file = output("--vitals", f"@{path}", "胸痛")
    assert any(f["id"] == "hypotension" for f in from_file["red_flags"])


def test_now_reads_clock_times_exactly() -> None:
    first = output("--now", "2024-05-01T14:00", "今晨6点起出现胸闷")
    later = output("--now", "2024-05-01T15:30", "今晨6点起出现胸闷")
    assert first["findings"]["duration_minutes"] == 480
    assert later["findings"]["duration_minutes"] == 570


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["   "], None, "TEXT is empty"),
    (["-"], b"\xff\xfe\xfa", "not UTF-8"),
    (["-"], ("胸" * 20_001).encode(), "more than 20000"),
    (["--vitals", "{bad", "胸痛"], None, "--vitals is not valid JSON"),
    (["--vitals", "[1, 2]", "胸痛"], None, "must be a JSON object"),
    (["--vitals", '{"pulse": 80}', "胸痛"], None, "unknown key 'pulse'"),
    (["--vitals", '{"hr": "fast"}', "胸痛"], None, "vitals.hr: expected a number"),
    (["--vitals", "@/no/such/file.json", "胸痛"], None, "no file"),
    (["--template", "nope", "胸痛"], None, "no template 'nope'; templates: acs"),
    (["--now", "yesterday", "胸痛"], None, "not an ISO time"),
])
def test_bad_input_exits_2_with_one_clear_line(args: list[str], stdin: bytes | None,
                                                message: str) -> None:
    done = sentinel(*args, stdin=stdin)
    assert done.returncode == 2
    assert done.stdout == b""
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines


def test_help_lists_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "engine.cli.main", "--help"],
                          capture_output=True, cwd=ROOT, timeout=60, check=False)
    assert b"assess" in done.stdout
