"""`sentinel score` and `sentinel troponin`, run as the real command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from engine import scores
from engine.scores import troponin

SENTINEL = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "sentinel"
HEART = {"history": "moderate", "ecg": "normal", "age": 52, "risk_factors": ["hypertension"],
         "atherosclerotic_disease": False, "troponin_ratio": 0.4}


def sentinel(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(SENTINEL), *args], input=stdin, capture_output=True,
                          timeout=60, check=False)


def test_score_prints_the_result_json() -> None:
    done = sentinel("score", "heart", stdin=json.dumps(HEART).encode())
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == scores.compute("heart", HEART).to_dict()
    assert (result["total"], result["band"]) == (3, "low")


def test_score_partial_has_chinese_questions() -> None:
    done = sentinel("score", "nyha", stdin=b'{"exertion_limit": "ordinary"}')
    assert done.returncode == 0
    result = json.loads(done.stdout.decode("utf-8"))
    assert result["complete"] is False
    assert "枕头" in result["questions"][0]["text"]


def test_score_list_names_every_score_with_its_citation() -> None:
    done = sentinel("score", "--list")
    assert done.returncode == 0
    lines = done.stdout.decode("utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == scores.names()
    for line, name in zip(lines, scores.names(), strict=True):
        assert line.split("\t")[2] == scores.citation(name)


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["heart"], b'{"agee": 1}', "heart.agee: not an input of heart"),
    (["heart"], b'{"age": "52"}', "heart.age: expected a number"),
    (["heart"], b'{"atherosclerotic_disease": 1}', "heart.atherosclerotic_disease: expected"),
    (["perc"], b'{"spo2": 120}', "perc.spo2: 120 is outside 0-100"),
    (["heart"], b'{"history": "very"}', "heart.history: 'very' is not one of"),
    (["heart"], b"", "score inputs on stdin are empty"),
    (["heart"], b"  \n", "score inputs on stdin are empty"),
    (["heart"], b'{"age": "\xff"}', "score inputs on stdin are not UTF-8"),
    (["heart"], b'{"age": 5', "score inputs on stdin are not valid JSON"),
    (["heart"], b"[1, 2]", "score inputs on stdin must be a JSON object"),
    (["heart"], b'"heart"', "score inputs on stdin must be a JSON object"),
    (["heart"], b'{"age": 50, "age": 60}', "score inputs on stdin: 'age' is given twice"),
    (["heart"], b"[" * 100_000, "score inputs on stdin are larger than"),
    (["heart"], b"[" * 5_000, "score inputs on stdin are nested too deeply"),
    (["heart"], b'{"age": ' + b"9" * 5_000 + b"}", "score inputs on stdin hold a number too"),
    (["apgar"], b"{}", "score: 'apgar' is not a score"),
    ([], b"{}", "score: give a score name"),
])
def test_score_bad_input_exits_2_with_one_line(args: list[str], stdin: bytes, message: str
                                              ) -> None:
    done = sentinel("score", *args, stdin=stdin)
    assert done.returncode == 2
    assert done.stdout == b""
    error = done.stderr.decode("utf-8")
    assert error.count("\n") == 1
    assert error.startswith(f"sentinel: error: {message}")


def test_score_from_a_terminal_says_to_pipe_instead_of_waiting() -> None:
    primary, terminal = os.openpty()
    try:
        done = subprocess.run([str(SENTINEL), "score", "heart"], stdin=terminal,
                              capture_output=True, timeout=60, check=False)
    finally:
        os.close(primary)
        os.close(terminal)
    assert done.returncode == 2
    assert done.stderr.decode("utf-8").startswith("sentinel: error: score inputs on stdin: none")


def test_troponin_text_reminder() -> None:
    done = sentinel("troponin", "--assay", "roche_hs_ctnt", "--protocol", "0h1h",
                    "--draw", "2025-03-05T13:35=7", "--now", "2025-03-05T13:50")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("utf-8")
    assert "请于 14:35 复查 hs-cTnT" in text
    assert "下次采血：2025-03-05 14:35" in text


def test_troponin_json_rule_out() -> None:
    done = sentinel("troponin", "--assay", "abbott_architect_hs_ctni", "--protocol", "0h1h",
                    "--draw", "2025-03-05T13:35=3", "--draw", "2025-03-05T14:35=4",
                    "--now", "2025-03-05T14:40", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["verdict"], result["reason"], result["next_draw_at"]) == (
        "rule_out", "low_0h_no_delta", None)


def test_troponin_clock_times_are_on_the_day_of_now() -> None:
    done = sentinel("troponin", "--assay", "roche_hs_ctnt", "--protocol", "0h2h",
                    "--draw", "08:00=3", "--onset", "04:30", "--now", "2025-03-05T08:10",
                    "--json")
    result = json.loads(done.stdout)
    assert (result["verdict"], result["reason"]) == ("rule_out", "very_low_0h")
    assert result["draws"][0]["at"] == "2025-03-05T08:00:00"


def test_troponin_defaults_come_from_the_settings(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    policy = tmp_path / "policy-troponin.json"
    policy.write_text('{"troponin_assay": "siemens_centaur_hs_ctni",'
                      ' "troponin_protocol": "0h2h"}', "utf-8")
    monkeypatch.setenv("SENTINEL_POLICY_FILE", str(policy))
    done = sentinel("troponin", "--draw", "2025-03-05T13:35=10", "--now", "2025-03-05T13:40",
                    "--json")
    result = json.loads(done.stdout)
    assert (result["assay"], result["protocol"]) == ("siemens_centaur_hs_ctni", "0h2h")
    assert result["next_draw_at"] == "2025-03-05T15:35:00"


def test_troponin_list_assays() -> None:
    done = sentinel("troponin", "--list-assays")
    lines = done.stdout.decode("utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == troponin.assays()
    assert "roche_hs_ctnt\ths-cTnT (Elecsys; Roche)\t0h1h, 0h2h" in lines


@pytest.mark.parametrize(("args", "message"), [
    (["--assay", "roche"], "assay: 'roche' is not a known assay"),
    (["--protocol", "0h3h"], "protocol: '0h3h' is not one of"),
    (["--draw", "13:35"], "--draw '13:35': expected TIME=VALUE"),
    (["--draw", "13:35=seven"], "--draw '13:35=seven': the value must be a number"),
    (["--draw", "yesterday=7"], "--draw 'yesterday': expected a time"),
    (["--draw", "2025-03-05T15:00=7"], "draws: the draw at 2025-03-05T15:00:00 is later"),
    (["--now", "soon"], "--now 'soon': expected a time"),
    (["--draw", "13:35=-2"], "draws[0]: -2.0 ng/L is outside"),
])
def test_troponin_bad_input_exits_2(args: list[str], message: str) -> None:
    base = ["--assay", "roche_hs_ctnt", "--protocol", "0h1h", "--now", "2025-03-05T14:00"]
    done = sentinel("troponin", *base, *args)
    assert done.returncode == 2
    error = done.stderr.decode("utf-8")
    assert error.count("\n") == 1
    assert error.startswith(f"sentinel: error: {message}"), error
