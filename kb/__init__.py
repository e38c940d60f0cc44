"""The knowledge base: departments' documents, classified, searchable offline, cited in drafts.

`kb` imports nothing else of ED Sentinel (and no Qt); callers pass in folders, the reader's
role and department, and an embedder. The parts:

- `store`: SQLite through sqlite-utils, schema steps in `migrations`, jieba full-text (`text`)
- `vectors`: exact numpy search for small stores, hnswlib above `EXACT_LIMIT`
- `importer`: `readers` (md, txt, html, docx, pdf), `cleaning`, `chunking`, `dedup`, `tagging`
- `retrieval`: SQL filters and access first, bm25 + vectors fused by reciprocal rank
- `access`: levels (public, department, restricted) and which roles read them
- `bundle`: signed per-level bundles; verified, atomic pulls
- `evaluate`, `feedback`: recall@k and MRR; doctors' verdicts on citations
- `errors`: the exception tree, rooted at `KBError`
"""

from kb.access import HOSPITAL_WIDE, LEVELS, ROLES, Reader, bundle_level
from kb.bundle import (
    PullResult,
    generate_key,
    installed,
    load_public_key,
    load_signing_key,
    open_installed,
    open_source,
    publish,
    pull,
)
from kb.embedders import BoxEmbedder, CallableEmbedder, Embedder, LocalE5Embedder, make_embedder
from kb.errors import KBError
from kb.evaluate import EvalReport, evaluate, read_cases
from kb.feedback import VERDICTS, FeedbackEntry, FeedbackLog
from kb.importer import ImportOptions, ImportReport, import_paths
from kb.retrieval import Hit, SearchResult, search
from kb.store import DocumentInfo, KnowledgeStore, SearchFilter

__all__ = [
    "HOSPITAL_WIDE",
    "LEVELS",
    "ROLES",
    "VERDICTS",
    "BoxEmbedder",
    "CallableEmbedder",
    "DocumentInfo",
    "Embedder",
    "EvalReport",
    "FeedbackEntry",
    "FeedbackLog",
    "Hit",
    "ImportOptions",
    "ImportReport",
    "KBError",
    "KnowledgeStore",
    "LocalE5Embedder",
    "PullResult",
    "Reader",
    "SearchFilter",
    "SearchResult",
    "bundle_level",
    "evaluate",
    "generate_key",
    "import_paths",
    "installed",
    "load_public_key",
    "load_signing_key",
    "make_embedder",
    "open_installed",
    "open_source",
    "publish",
    "pull",
    "read_cases",
    "search",
]
