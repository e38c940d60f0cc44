"""`sentinel kb ...` end to end, in process, with the workstation's settings from policy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.cli.main import main
from tests.kb.conftest import Corpus


def _policy(tmp_path: Path, **values: object) -> None:
    Path(os.environ["SENTINEL_POLICY_FILE"]).write_text(json.dumps(values), "utf-8")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def imported(corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Corpus:
    _policy(tmp_path, kb_embedder="none", role="kb_editor", department="信息科")
    assert _run(capsys, "kb", "import", str(corpus.public))[0] == 0
    assert _run(capsys, "kb", "import", str(corpus.emergency_restricted), "--department",
                "急诊科", "--level", "restricted")[0] == 0
    return corpus


def test_import_reports_skipped_files_and_still_imports_the_rest(
        corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _policy(tmp_path, kb_embedder="none")
    (corpus.bad / "好的.md").write_text("# 晕厥\n晕厥患者查心电图。", "utf-8")

    code, out, err = _run(capsys, "kb", "import", str(corpus.bad), "--tags", "测试")

    assert code == 0
    assert "1 added" in out and "4 skipped" in out
    for name in ("损坏.pdf", "乱码.txt", "空.md", "坏的.docx"):
        assert f"skipped {corpus.bad / name}" in err


def test_import_of_only_bad_files_exits_2(corpus: Corpus, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _policy(tmp_path, kb_embedder="none")

    code, _, err = _run(capsys, "kb", "import", str(corpus.bad / "空.md"))

    assert code == 2 and "empty" in err


def test_search_prints_hits_with_their_explanation(
        imported: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "kb", "search", "气胸", "--k", "2")

    assert code == 0
    assert out.startswith("1. 气胸.pdf")
    assert "why: fused" in out and "matched 气胸" in out


def test_search_json_and_filters(imported: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "kb", "search", "胸痛", "--json", "--level", "restricted")

    data = json.loads(out)
    assert code == 0 and data["words"] == {"胸痛": ["胸痛"]}
    assert {hit["document"] for hit in data["hits"]} == {"麻醉药品管理.md"}
    assert data["hits"][0]["explanation"].startswith("fused")


def test_a_clinician_workstation_does_not_see_restricted_knowledge(
        imported: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _policy(tmp_path, kb_embedder="none", role="clinician", department="急诊科")

    _, out, _ = _run(capsys, "kb", "search", "麻醉药品 胸痛", "--json", "--k", "10")
    _, listing, _ = _run(capsys, "kb", "list")

    assert "麻醉药品管理.md" not in out and "麻醉药品管理.md" not in listing
    assert "胸痛流程.md" in listing


@pytest.mark.parametrize(("argv", "message"), [
    (["kb", "search", ""], "empty"),
    (["kb", "search", "胸痛", "--k", "0"], "k must be"),
    (["kb", "search", "，。"], "no searchable words"),
    (["kb", "remove", "nothing.md"], "no document"),
    (["kb", "tag", "胸痛流程.md"], "--add"),
    (["kb", "feedback", "--chunk", "999999", "--verdict", "wrong"], "no readable chunk"),
    (["kb", "feedback"], "--chunk"),
    (["kb", "eval", "missing.jsonl"], "no evaluation file"),
    (["kb", "pull"], "kb_public_key"),
    (["kb", "publish", "out", "--key", "missing.pem"], "keygen"),
])
def test_bad_input_exits_2_with_a_reason(imported: Corpus,
                                         capsys: pytest.CaptureFixture[str],
                                         argv: list[str], message: str) -> None:
    code, _, err = _run(capsys, *argv)

    assert code == 2
    assert message in err


def test_nothing_imported_says_how_to_get_knowledge(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _policy(tmp_path, kb_embedder="none")

    code, _, err = _run(capsys, "kb", "search", "胸痛")

    assert code == 2 and "sentinel kb pull" in err


def test_list_tag_remove(imported: Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "kb", "tag", "气胸.pdf", "--add", "胸外", "--remove", "呼吸")
    tags = out.strip().split("tags ")[1].split(", ")
    assert code == 0 and "胸外" in tags and "呼吸" not in tags

    _, listing, _ = _run(capsys, "kb", "list", "--json")
    documents = {d["key"]: d for d in json.loads(listing)["documents"]}
    assert documents["气胸.pdf"]["tags"]["胸外"] == "editor"

    code, out, _ = _run(capsys, "kb", "remove", "气胸.pdf")
    assert code == 0 and "removed 气胸.pdf" in out
    _, listing, _ = _run(capsys, "kb", "list")
    assert "气胸.pdf" not in listing


def test_eval_json(imported: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"query": "气胸", "expect_sources": ["气胸.pdf"]},
        {"query": "复律", "expect_sources": ["房颤抗凝.html"]},
        {"query": "他汀", "expect_sources": ["不存在.md"]},
    ]), "utf-8")

    code, out, _ = _run(capsys, "kb", "eval", str(path), "--k", "3", "--json")
    text_code, text, _ = _run(capsys, "kb", "eval", str(path), "--k", "3")

    assert code == 0 and json.loads(out) == {"recall_at_k": pytest.approx(2 / 3),
                                             "mrr": pytest.approx(2 / 3), "k": 3, "n": 3}
    assert text_code == 0 and "recall@3 0.667" in text and "missed line 3" in text


def test_publish_pull_and_feedback(imported: Corpus, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "it" / "signing.pem"
    code, out, _ = _run(capsys, "kb", "keygen", str(key))
    public = out.strip().split()[-1]
    assert code == 0 and len(public) == 64

    code, out, _ = _run(capsys, "kb", "publish", str(tmp_path / "pub"), "--key", str(key))
    assert code == 0 and out.count("documents") == 3

    _policy(tmp_path, kb_embedder="none", role="clinician", department="急诊科",
            kb_public_key=public, kb_source=str(tmp_path / "pub"))
    code, out, _ = _run(capsys, "kb", "pull")
    assert code == 0 and out.startswith("installed department bundle")
    code, out, _ = _run(capsys, "kb", "pull", "--level", "restricted")
    assert code == 2

    _, found, _ = _run(capsys, "kb", "search", "气胸", "--json")
    hit = json.loads(found)["hits"][0]
    assert json.loads(found)["kb_version"] != "library-g0"
    code, out, _ = _run(capsys, "kb", "feedback", "--chunk", str(hit["chunk_id"]),
                        "--verdict", "outdated", "--correction", "请更新为2025版", "--draft", "d1")
    assert code == 0 and "recorded" in out
    _, listed, _ = _run(capsys, "kb", "feedback", "--list", "--json")
    entry = json.loads(listed)[0]
    assert entry["document"] == "气胸.pdf" and entry["role"] == "clinician"
    assert entry["kb_version"] == json.loads(found)["kb_version"]


def test_tampered_pull_exits_1_and_says_why(imported: Corpus, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "signing.pem"
    _, out, _ = _run(capsys, "kb", "keygen", str(key))
    public = out.strip().split()[-1]
    _run(capsys, "kb", "publish", str(tmp_path / "pub"), "--key", str(key), "--level", "public")
    version = (tmp_path / "pub" / "public" / "LATEST").read_text().strip()
    manifest = tmp_path / "pub" / "public" / version / "manifest.json"
    manifest.write_text(manifest.read_text("utf-8").replace('"documents"', '"documentz"'))
    _policy(tmp_path, role="clinician", kb_public_key=public)

    code, _, err = _run(capsys, "kb", "pull", str(tmp_path / "pub"), "--level", "public")

    assert code == 1 and "signature does not verify" in err


def test_reindex_reembed_adds_vectors(imported: Corpus, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "kb", "reindex", "--reembed", "--embedder", "local")
    assert code == 0 and "rebuilt" in out

    _policy(tmp_path, kb_embedder="auto", role="kb_editor")
    _, found, _ = _run(capsys, "kb", "search", "晚上不能平躺", "--json")
    assert json.loads(found)["vector_used"] is True
