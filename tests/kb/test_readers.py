"""Reading each format, cleaning boilerplate, and refusing files that cannot be read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.chunking import chunk_text
from kb.errors import EmptyDocument, UnreadableDocument, UnsupportedFormat
from kb.readers import read_source
from tests.kb.conftest import ATRIAL_FIBRILLATION_HTML, PNEUMOTHORAX_PAGES, Corpus
from tests.kb.pdfmaker import make_pdf


def _chunks_text(path: Path) -> str:
    source = read_source(path, path.read_bytes())
    return "\n".join(chunk.text for chunk in chunk_text(source.text, source.pages))


def test_markdown_offsets_point_into_the_file_itself(corpus: Corpus) -> None:
    path = corpus.public / "胸痛流程.md"
    text = path.read_text("utf-8")
    source = read_source(path, path.read_bytes())

    chunks = chunk_text(source.text)

    assert source.text == text
    for chunk in chunks:
        # Wrapped lines are joined; nothing else differs from the file's own characters.
        assert chunk.text.replace("\n", "") == text[chunk.start:chunk.end].replace("\n", "")
    assert [c.section for c in chunks][:2] == ["胸痛诊治流程 > 初始评估",
                                                "胸痛诊治流程 > 急性冠脉综合征"]


def test_html_keeps_headings_and_drops_scripts_navigation_and_footers(corpus: Corpus) -> None:
    path = corpus.public / "房颤抗凝.html"
    source = read_source(path, path.read_bytes())
    chunks = chunk_text(source.text)
    joined = "\n".join(c.text for c in chunks)

    assert source.title == "心房颤动抗凝"
    assert "CHA2DS2-VASc" in joined and "同步电复律" in joined
    for boilerplate in ("tracker", "科室导航", "版权所有", "color"):
        assert boilerplate not in source.text + joined
    assert "心房颤动抗凝 > 复律" in {c.section for c in chunks}
    assert "tracker" in ATRIAL_FIBRILLATION_HTML  # the script really was there


def test_pdf_loses_running_headers_and_page_numbers(corpus: Corpus) -> None:
    joined = _chunks_text(corpus.public / "气胸.pdf")

    assert "张力性气胸" in joined and "胸腔闭式引流" in joined
    assert "胸外科诊疗常规" not in joined
    assert "页" not in joined
    assert PNEUMOTHORAX_PAGES[0][0] == "胸外科诊疗常规 2024版"


def test_docx_headings_become_sections_and_page_headers_stay_out(corpus: Corpus) -> None:
    path = corpus.emergency_department / "冠心病二级预防.docx"
    source = read_source(path, path.read_bytes())
    chunks = chunk_text(source.text)

    assert [c.section for c in chunks] == ["冠状动脉粥样硬化性心脏病二级预防",
                                           "血脂管理"]
    assert "受控文件" not in source.text


def test_gb18030_text_is_decoded(corpus: Corpus) -> None:
    assert "晕厥患者须查心电图" in _chunks_text(corpus.public / "晕厥.txt")


@pytest.mark.parametrize(("name", "error", "reason"), [
    ("损坏.pdf", UnreadableDocument, "not a readable PDF"),
    ("乱码.txt", UnreadableDocument, "binary data"),
    ("空.md", EmptyDocument, "empty"),
    ("坏的.docx", UnreadableDocument, "not a readable DOCX"),
])
def test_bad_files_raise_a_reason_naming_the_file(corpus: Corpus, name: str,
                                                  error: type[Exception], reason: str) -> None:
    path = corpus.bad / name

    with pytest.raises(error, match=reason) as caught:
        read_source(path, path.read_bytes())

    assert name in str(caught.value)


def test_unknown_types_and_text_free_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat, match=r"\.xlsx"):
        read_source(tmp_path / "a.xlsx", b"data")
    with pytest.raises(UnreadableDocument, match="binary"):
        read_source(tmp_path / "a.md", b"ok text\x00\x01\x02")
    with pytest.raises(EmptyDocument):
        read_source(tmp_path / "blank.txt", b"   \n\n\t ")
    with pytest.raises(EmptyDocument, match="OCR"):
        read_source(tmp_path / "scan.pdf", make_pdf([[], []]))
    control_heavy = bytes(range(1, 32)) * 50
    with pytest.raises(UnreadableDocument):
        read_source(tmp_path / "c.txt", control_heavy)
    assert len(os.urandom(8)) == 8
