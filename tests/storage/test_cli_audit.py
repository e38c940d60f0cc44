"""`sentinel audit verify` and `sentinel audit export`."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.storage import AuditLog

PROVENANCE = {"engine": "rules", "prompt_id": "ed_history", "prompt_version": "v1"}


def _fill(home: Path, count: int = 3) -> None:
    with AuditLog.open(home) as audit:
        for number in range(count):
            audit.record_generation(case_id=f"c{number}", template="胸痛通用",
                                    provenance=PROVENANCE, inputs="持续胸痛", output="草稿")


def test_verify_says_intact(sentinel_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(sentinel_home)
    assert main(["audit", "verify"]) == 0
    assert "audit log intact: 3 entries" in capsys.readouterr().out


def test_verify_names_the_first_broken_entry_and_fails(sentinel_home: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _fill(sentinel_home, count=4)
    conn = sqlite3.connect(sentinel_home / "audit" / "audit.db", isolation_level=None)
    conn.execute("DROP TRIGGER entries_append_only_delete")
    conn.execute("DELETE FROM entries WHERE seq = 2")
    conn.close()

    assert main(["audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert "BROKEN at entry 2" in captured.out and "missing" in captured.out
    assert "tell IT" in captured.err


def test_export_csv_to_a_file(sentinel_home: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    _fill(sentinel_home)
    target = tmp_path / "audit.csv"
    assert main(["audit", "export", "--format", "csv", "--output", str(target)]) == 0
    with target.open(encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert [row["case_id"] for row in rows] == ["c0", "c1", "c2"]
    assert "持续胸痛" not in target.read_text("utf-8")
    assert "exported 3 audit entries" in capsys.readouterr().err


def test_export_jsonl_since_to_stdout(sentinel_home: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _fill(sentinel_home)
    assert main(["audit", "export", "--since", "2000-01-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3]
    assert main(["audit", "export", "--since", "2999-01-01T00:00+08:00"]) == 0
    assert capsys.readouterr().out == ""


def test_a_bad_since_is_a_usage_error(sentinel_home: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "export", "--since", "yesterday"]) == 2
    assert "2025-03-01" in capsys.readouterr().err


def test_an_unwritable_output_is_named(sentinel_home: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "export", "--output", str(tmp_path / "no" / "such" / "x")]) == 2
    assert "cannot write" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["audit"], ["audit", "export", "--format", "xml"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
