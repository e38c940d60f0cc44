"""The drafting side of the knowledge base: retrieve for a template and findings, then cite.

`retrieve_for_draft` builds a query from the template's title and the findings' Chinese labels
(present symptoms, pain character, location, radiation, history; never absent or denied ones),
searches the installed knowledge base as this workstation's role and department, and returns:
- `prompt_text`: the hits as numbered references for the prompt card's `knowledge` variable;
- `citations`: one `Citation` per hit (document, section, version, chunk id, level);
- `kb_version`: the installed bundle's version (or the library's generation) for provenance.

No knowledge base installed, or one that fails, gives an empty context: a draft never fails
because of its references. Also here: where the knowledge base lives on this workstation and
which embedder makes query vectors for it, shared with `sentinel kb`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.drafting.model import Citation
from engine.home import sub_folder
from engine.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_K = 4
MAX_PROMPT_CHARS = 2000
MAX_HIT_CHARS = 450
MAX_QUERY_WORDS = 24
# Findings fields whose values say what the patient has (absent and denied ones would only
# pull in knowledge about what is not there).
QUERY_FIELDS = ("present", "character", "location", "radiation", "aggravating", "history")
# FIXME(kb-box): the box's API key for embeddings is read from this variable only; it should
# come from the keyring entry the inference client uses.
API_KEY_ENV = "SENTINEL_API_KEY"
DRAFT_EMBED_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class KnowledgeContext:
    """What a draft gets from the knowledge base."""

    prompt_text: str = ""
    citations: list[Citation] = field(default_factory=list)
    kb_version: str | None = None
    query: str = ""
    notes: tuple[str, ...] = ()

    @classmethod
    def empty(cls, note: str = "") -> KnowledgeContext:
        return cls(notes=(note,) if note else ())

    @property
    def is_empty(self) -> bool:
        return not self.citations


def kb_folder() -> Path:
    """Everything of the knowledge base on this workstation lives here."""
    return sub_folder("kb")


def library_folder() -> Path:
    """The editable store `sentinel kb import` writes to (an editor's or a standalone PC's)."""
    return kb_folder() / "library"


def feedback_folder() -> Path:
    return kb_folder() / "feedback"


def reader_from(settings: Settings) -> Any:
    from kb import Reader

    return Reader(settings.get("role"), settings.get("department"))


def open_knowledge(*, prefer_library: bool = False) -> Any | None:
    """The installed bundle, else the local library; None when there is neither."""
    from kb import KnowledgeStore, open_installed
    from kb.errors import NoKnowledgeBase

    if not prefer_library:
        store = open_installed(kb_folder())
        if store is not None:
            return store
    try:
        return KnowledgeStore.open(library_folder(), readonly=False)
    except NoKnowledgeBase:
        return None


def embedder_for(store: Any, settings: Settings, *, timeout_s: float | None = None) -> Any:
    """The embedder for queries to `store`, per kb_embedder; None for words-only search."""
    from kb import BoxEmbedder, make_embedder
    from kb.errors import EmbedderUnavailable

    urls = settings.get("inference_urls")
    try:
        embedder = make_embedder(
            settings.get("kb_embedder"), recorded=store.embedder if store else None,
            box_url=urls[0] if urls else "", box_model=settings.get("kb_embedding_model"),
            api_key=os.environ.get(API_KEY_ENV) or None,
        )
    except EmbedderUnavailable as exc:
        log.info("no query embedder: %s", exc)
        return None
    if isinstance(embedder, BoxEmbedder) and timeout_s is not None:
        embedder.close()
        embedder = BoxEmbedder(embedder.base_url, settings.get("kb_embedding_model"),
                               api_key=os.environ.get(API_KEY_ENV) or None,
                               timeout_s=timeout_s)
    return embedder


def _labels(findings: Mapping[str, Any]) -> list[str]:
    from engine.findings.vocabulary import vocabulary

    words = vocabulary()
    section = {"present": "symptom"}
    labels: list[str] = []
    for name in QUERY_FIELDS:
        values = findings.get(name) or []
        if not isinstance(values, list):
            continue
        for value in values:
            if not isinstance(value, str):
                continue
            try:
                labels.append(words.label(section.get(name, name), value))
            except KeyError:
                # A value from the model outside the vocabulary: use it if it reads as words.
                if re.fullmatch(r"[\u4e00-\u9fff]{2,12}", value):
                    labels.append(value)
    return labels


def build_query(template_id: str, findings: Mapping[str, Any]) -> str:
    """Words to search with: the template's title, then the findings' labels."""
    from prompts import PromptError, load_card

    words: list[str] = []
    try:
        title = load_card(template_id).title
        words.extend(part for part in re.split(r"[（）()\s]+", title) if part)
    except PromptError:
        log.debug("no prompt card %s; searching by findings only", template_id)
    words.extend(_labels(findings))
    return " ".join(list(dict.fromkeys(words))[:MAX_QUERY_WORDS])


def _prompt_text(hits: list[Any]) -> str:
    parts: list[str] = []
    used = 0
    for number, hit in enumerate(hits, 1):
        where = f"《{hit.title or hit.document}》"
        if hit.section:
            where += f" {hit.section}"
        text = hit.text if len(hit.text) <= MAX_HIT_CHARS else hit.text[:MAX_HIT_CHARS] + "…"
        entry = f"[{number}] {where}（版本 {hit.version}）\n{text}"
        if parts and used + len(entry) > MAX_PROMPT_CHARS:
            break
        parts.append(entry)
        used += len(entry)
    return "\n\n".join(parts)


def _citations(hits: list[Any]) -> list[Citation]:
    return [Citation(document=hit.title or hit.document, section=hit.section,
                     version=hit.version, chunk_id=str(hit.chunk_id), level=hit.level)
            for hit in hits]


def retrieve_for_draft(template_id: str, findings: Mapping[str, Any], *, store: Any = None,
                       k: int = DEFAULT_K, settings: Settings | None = None,
                       embedder: Any = None) -> KnowledgeContext:
    """The knowledge for one draft; an empty context when there is none to give."""
    from kb import KBError, search

    query = build_query(template_id, findings)
    if not query:
        return KnowledgeContext.empty("nothing to search for")
    settings = settings or Settings.load()
    opened_here = store is None
    try:
        if store is None:
            store = open_knowledge()
        if store is None:
            return KnowledgeContext.empty("no knowledge base installed")
        if embedder is None:
            embedder = embedder_for(store, settings, timeout_s=DRAFT_EMBED_TIMEOUT_S)
        result = search(store, query, reader=reader_from(settings), k=k, embedder=embedder)
    except KBError as exc:
        # References are an extra: the draft goes on without them, and the log says why.
        log.warning("knowledge retrieval failed: %s", exc)
        return KnowledgeContext.empty(str(exc))
    finally:
        if opened_here and store is not None:
            store.close()
    return KnowledgeContext(
        prompt_text=_prompt_text(result.hits), citations=_citations(result.hits),
        kb_version=result.kb_version, query=query, notes=tuple(result.notes),
    )
