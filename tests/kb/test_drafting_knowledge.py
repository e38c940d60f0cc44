"""The drafting side: a query from template and findings, prompt text, citations, version."""

from __future__ import annotations

import json
import os
from pathlib import Path

from engine.drafting.knowledge import (
    KnowledgeContext,
    build_query,
    library_folder,
    retrieve_for_draft,
)
from engine.drafting.model import Citation
from engine.settings import Settings
from kb import ImportOptions, KnowledgeStore, import_paths
from tests.kb.conftest import Corpus

FINDINGS = {"present": ["chest_pain", "dyspnea"], "absent": ["fever"],
            "character": [], "history": ["hypertension"], "radiation": []}


def _policy(**values: object) -> Settings:
    Path(os.environ["SENTINEL_POLICY_FILE"]).write_text(json.dumps(values), "utf-8")
    return Settings.load()


def test_the_query_uses_the_template_title_and_present_findings_only() -> None:
    query = build_query("pulmonary_embolism", FINDINGS)

    # The card's title, then the labels of present symptoms and history, in findings order;
    # absent findings (发热) do not steer retrieval.
    assert query == "急性肺栓塞 胸痛 呼吸困难 高血压"
    assert build_query("no_such_card", {"present": ["chest_pain"]}) == "胸痛"
    assert build_query("acs", {"present": [3, "unknown_code"], "history": "x"}) == \
        "急性冠脉综合征 ACS"


def test_no_knowledge_base_gives_an_empty_context_not_an_error() -> None:
    context = retrieve_for_draft("acs", FINDINGS, settings=_policy(kb_embedder="none"))

    assert context.is_empty and context.prompt_text == "" and context.kb_version is None
    assert context == KnowledgeContext.empty("no knowledge base installed")


def test_retrieval_cites_what_it_put_in_the_prompt(corpus: Corpus) -> None:
    settings = _policy(kb_embedder="none", role="clinician", department="急诊科")
    with KnowledgeStore.open(library_folder(), create=True) as store:
        import_paths(store, [corpus.public])
        import_paths(store, [corpus.emergency_restricted],
                     options=ImportOptions(department="急诊科", level="restricted"))

    context = retrieve_for_draft("pulmonary_embolism", FINDINGS, settings=settings, k=3)

    assert context.citations and len(context.citations) <= 3
    assert all(isinstance(c, Citation) for c in context.citations)
    first = context.citations[0]
    assert first.document == "胸痛诊治流程" and first.section.endswith("肺栓塞")
    assert first.version == "r1" and first.level == "public" and first.chunk_id.isdigit()
    assert context.prompt_text.startswith("[1] 《胸痛诊治流程》")
    assert "D-二聚体" in context.prompt_text
    assert context.kb_version is not None and context.kb_version.startswith("library-g")
    assert all(c.level != "restricted" for c in context.citations)


def test_a_broken_knowledge_base_does_not_break_the_draft(tmp_path: Path) -> None:
    library_folder().mkdir(parents=True, exist_ok=True)
    (library_folder() / "kb.sqlite").write_bytes(b"not a database" * 50)

    context = retrieve_for_draft("acs", FINDINGS, settings=_policy(kb_embedder="none"))

    assert context.is_empty and "not a usable" in context.notes[0]
