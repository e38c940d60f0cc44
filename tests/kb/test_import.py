"""Importing the corpus: bad files skipped one by one, re-imports, tags and their corrections."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import ImportOptions, KnowledgeStore, import_paths, search
from kb.errors import BadFilter, KBInputError
from tests.kb.conftest import EDITOR, EMERGENCY_CLINICIAN, Corpus


def test_bad_files_are_reported_one_by_one_and_the_rest_is_imported(
        tmp_path: Path, corpus: Corpus) -> None:
    store = KnowledgeStore.open(tmp_path / "lib", create=True)
    (corpus.bad / "好的.md").write_text("# 晕厥\n晕厥患者查心电图。", "utf-8")

    report = import_paths(store, [corpus.bad])

    reasons = {Path(o.path).name: o.reason for o in report.skipped}
    assert set(reasons) == {"损坏.pdf", "乱码.txt", "空.md", "坏的.docx"}
    assert "PDF" in reasons["损坏.pdf"] and "binary" in reasons["乱码.txt"]
    assert "empty" in reasons["空.md"] and "DOCX" in reasons["坏的.docx"]
    assert report.count("added") == 1
    assert [doc.key for doc in store.documents(EDITOR)] == ["好的.md"]


def test_the_corpus_imports_with_each_documents_classification(library: KnowledgeStore) -> None:
    documents = {doc.key: doc for doc in library.documents(EDITOR)}

    assert documents["麻醉药品管理.md"].level == "restricted"
    assert documents["心衰处理.txt"].department == "心内科"
    assert documents["气胸.pdf"].kind == "pdf" and documents["气胸.pdf"].chunks >= 1
    assert all(doc.revision == 1 and doc.version == "r1" for doc in documents.values())
    assert len(documents["胸痛流程.md"].sha256) == 64


def test_an_unchanged_file_is_left_alone(library: KnowledgeStore, corpus: Corpus) -> None:
    before = library.generation

    report = import_paths(library, [corpus.public])

    assert report.count("unchanged") == 4 and report.count("added") == 0
    assert library.generation == before


def test_a_changed_file_replaces_its_chunks(library: KnowledgeStore, corpus: Corpus) -> None:
    path = corpus.public / "胸痛流程.md"
    path.write_text("# 胸痛诊治流程\n\n## 初始评估\n胸痛患者先行床旁超声评估心包积液。\n", "utf-8")

    report = import_paths(library, [path])

    assert [o.status for o in report.outcomes] == ["replaced"]
    doc = library.document("胸痛流程.md", EDITOR)
    assert doc.revision == 2 and doc.version == "r2" and doc.chunks == 1
    old = search(library, "主动脉夹层", reader=EDITOR, k=5)
    assert "胸痛流程.md" not in {hit.document for hit in old.hits}
    new = search(library, "心包积液", reader=EDITOR, k=5)
    assert [hit.document for hit in new.hits] == ["胸痛流程.md"]


def test_reclassifying_a_file_reimports_it(library: KnowledgeStore, corpus: Corpus) -> None:
    import_paths(library, [corpus.public / "晕厥.txt"],
                 options=ImportOptions(department="急诊科", level="department"))

    doc = library.document("晕厥.txt", EDITOR)
    assert (doc.level, doc.department, doc.revision) == ("department", "急诊科", 2)


def test_automatic_tags_and_editor_corrections_survive_reimport(
        library: KnowledgeStore, corpus: Corpus) -> None:
    doc = library.document("房颤抗凝.html", EDITOR)
    assert doc.tags.get("心房颤动") == "auto"  # a medical keyword, under its canonical name
    assert library.document("心衰处理.txt", EDITOR).tags.get("心血管") == "auto"

    library.edit_tags("房颤抗凝.html", EDITOR, add=["抗凝"], remove=["心房颤动"])
    path = corpus.public / "房颤抗凝.html"
    path.write_text(path.read_text("utf-8").replace("同步电复律", "同步直流电复律"), "utf-8")
    import_paths(library, [path])

    tags = library.document("房颤抗凝.html", EDITOR).tags
    assert tags["抗凝"] == "editor" and "心房颤动" not in tags


def test_import_tags_and_version_labels(tmp_path: Path, corpus: Corpus) -> None:
    store = KnowledgeStore.open(tmp_path / "lib", create=True)

    import_paths(store, [corpus.public / "气胸.pdf"],
                 options=ImportOptions(tags=("胸外", "2024"), version_label="2024版"))

    doc = store.document("气胸.pdf", EDITOR)
    assert doc.version == "2024版"
    assert doc.tags["胸外"] == "import" and doc.tags["2024"] == "import"


@pytest.mark.parametrize(("options", "message"), [
    (ImportOptions(level="secret"), "unknown level"),
    (ImportOptions(level="department"), "needs --department"),
    (ImportOptions(department="  "), "department is empty"),
    (ImportOptions(department="科" * 41), "at most 40"),
    (ImportOptions(tags=("a,b",)), "without commas"),
    (ImportOptions(tags=("长" * 31,)), "1 to 30"),
])
def test_bad_classifications_are_refused_before_anything_is_read(
        tmp_path: Path, corpus: Corpus, options: ImportOptions, message: str) -> None:
    store = KnowledgeStore.open(tmp_path / "lib", create=True)

    with pytest.raises(BadFilter, match=message):
        import_paths(store, [corpus.public], options=options)
    assert store.chunk_count() == 0


def test_a_missing_path_is_bad_input(tmp_path: Path) -> None:
    store = KnowledgeStore.open(tmp_path / "lib", create=True)

    with pytest.raises(KBInputError, match="no file or folder"):
        import_paths(store, [tmp_path / "nowhere"])


def test_removing_a_document_takes_its_chunks(library: KnowledgeStore) -> None:
    chunks_before = library.chunk_count()
    doc = library.remove_document("胸痛流程.md", EDITOR)

    assert library.chunk_count() == chunks_before - doc.chunks
    assert "胸痛流程.md" not in {h.document for h in
                                 search(library, "胸痛", reader=EMERGENCY_CLINICIAN, k=10).hits}
