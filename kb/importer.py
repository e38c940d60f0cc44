"""Importing files into a library: read, clean, chunk, de-duplicate, tag, embed, store.

Each file is handled on its own: one that cannot be read is reported with its reason and
skipped, and the rest go on. A file already imported with the same content and classification
is left alone; a changed one replaces its earlier chunks in one transaction.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.access import HOSPITAL_WIDE, check_classification
from kb.chunking import chunk_text
from kb.dedup import duplicates, fingerprints
from kb.embedders import Embedder
from kb.errors import DocumentError, EmbedderMismatch, EmptyDocument, KBInputError
from kb.readers import SUPPORTED_SUFFIXES, read_source
from kb.store import KnowledgeStore, NewChunk, NewDocument
from kb.tagging import auto_tags, clean_tag
from kb.text import segmenter

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ImportOptions:
    department: str = HOSPITAL_WIDE
    level: str = "public"
    tags: tuple[str, ...] = ()
    version_label: str = ""

    def checked(self) -> ImportOptions:
        level, department = check_classification(self.level, self.department)
        tags = tuple(clean_tag(tag) for tag in self.tags)
        if len(self.version_label) > 40:
            raise KBInputError("--doc-version is longer than 40 characters")
        return ImportOptions(department, level, tags, self.version_label.strip())


@dataclass(frozen=True)
class FileOutcome:
    path: str
    status: str  # added, replaced, unchanged or skipped
    key: str = ""
    chunks: int = 0
    duplicates_removed: int = 0
    reason: str = ""


@dataclass
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    index_seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def chunks(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "replaced"))

    @property
    def skipped(self) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "skipped"]


def discover(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """(file, document key) for each file named or found in a named folder.

    A file's key is its name; a file inside a folder gets its path relative to that folder,
    so two `README.md` in different sub-folders stay two documents."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                relative = file.relative_to(path)
                hidden = any(part.startswith(".") for part in relative.parts)
                if file.is_file() and not hidden and file.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.append((file, relative.as_posix()))
        elif path.exists():
            found.append((path, path.name))
        else:
            raise KBInputError(f"no file or folder {path}")
    return found


def _chunk_file(path: Path, data: bytes) -> tuple[str, str, list[NewChunk], int, str]:
    """(kind, title, chunks, duplicates removed, all text) or a DocumentError."""
    source = read_source(path, data)
    pieces = chunk_text(source.text, source.pages)
    prints = fingerprints([piece.text for piece in pieces])
    repeated = duplicates([piece.text for piece in pieces], prints)
    kept = [index for index in range(len(pieces)) if index not in repeated]
    if not kept:
        raise EmptyDocument(str(path), "only boilerplate (page numbers, headers) was found")

    seg = segmenter()
    chunks = []
    for ordinal, index in enumerate(kept):
        piece = pieces[index]
        words = seg.index_words(f"{piece.section}\n{piece.text}")
        chunks.append(NewChunk(ordinal, piece.section, piece.text, piece.start, piece.end,
                               prints[index][0], prints[index][1], " ".join(words)))
    title = source.title.strip()[:200] or path.stem
    return source.kind, title, chunks, len(repeated), "\n".join(c.text for c in chunks)


def _unchanged(store: KnowledgeStore, key: str, digest: str, options: ImportOptions) -> bool:
    existing = store.document_by_key(key)
    if existing is None:
        return False
    import_tags = sorted(tag for tag, origin in existing.tags.items() if origin == "import")
    label_matches = not options.version_label or existing.version == options.version_label
    return (existing.sha256 == digest and existing.department == options.department
            and existing.level == options.level and label_matches
            and import_tags == sorted(options.tags))


def _check_embedder_fits(store: KnowledgeStore, embedder: Embedder | None) -> None:
    recorded = store.embedder
    if store.chunk_count() == 0:
        return
    if recorded and embedder is None:
        raise EmbedderMismatch(
            f"this knowledge base's vectors were made by {recorded} and no embedder is "
            "available here; set kb_embedder to match it, or run "
            "`sentinel kb reindex --reembed` with the embedder you want"
        )
    if not recorded and embedder is not None:
        raise EmbedderMismatch(
            "this knowledge base has no vectors; import with kb_embedder 'none', or run "
            "`sentinel kb reindex --reembed` first to embed what it holds"
        )


def import_paths(store: KnowledgeStore, paths: Sequence[Path], *,
                 options: ImportOptions = ImportOptions(),
                 embedder: Embedder | None = None,
                 progress: Progress | None = None) -> ImportReport:
    """Import files and folders; bad files are reported in the result, never raised."""
    options = options.checked()
    _check_embedder_fits(store, embedder)
    files = discover(paths)
    report = ImportReport()
    began = time.perf_counter()
    wrote_vectors = False

    for done, (path, key) in enumerate(files):
        if progress is not None:
            progress(done, len(files), str(path))
        outcome, embedded_for = _import_one(store, path, key, options, embedder)
        report.embed_seconds += embedded_for
        wrote_vectors = wrote_vectors or (embedder is not None and
                                          outcome.status in ("added", "replaced"))
        report.outcomes.append(outcome)
        if outcome.status == "skipped":
            log.warning("skipped %s: %s", path, outcome.reason)
    if progress is not None:
        progress(len(files), len(files), "")

    if wrote_vectors:
        # FIXME(kb-vectors): the whole index is rebuilt after each import (about a minute at
        # 100k chunks on two cores); adding rows to the graph in place would be faster.
        index_began = time.perf_counter()
        store.rebuild_index()
        report.index_seconds = time.perf_counter() - index_began
    report.seconds = time.perf_counter() - began
    return report


def _import_one(store: KnowledgeStore, path: Path, key: str, options: ImportOptions,
                embedder: Embedder | None) -> tuple[FileOutcome, float]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileOutcome(str(path), "skipped", key, reason=f"cannot read: {exc}"), 0.0
    digest = hashlib.sha256(data).hexdigest()
    if _unchanged(store, key, digest, options):
        return FileOutcome(str(path), "unchanged", key), 0.0
    try:
        kind, title, chunks, removed, text = _chunk_file(path, data)
    except DocumentError as exc:
        return FileOutcome(str(path), "skipped", key, reason=exc.reason), 0.0

    vectors = None
    embed_seconds = 0.0
    if embedder is not None:
        began = time.perf_counter()
        vectors = embedder.embed_passages([f"{c.section}\n{c.text}" for c in chunks])
        embed_seconds = time.perf_counter() - began

    replacing = store.document_by_key(key) is not None
    document = NewDocument(
        key=key, title=title, file_name=path.name, source=str(path.resolve()), kind=kind,
        department=options.department, level=options.level, sha256=digest,
        size_bytes=len(data), version_label=options.version_label,
    )
    store.replace_document(
        document, chunks, vectors, embedder=embedder.identity if embedder else None,
        auto_tags=auto_tags(text, options.department,
                            [word for chunk in chunks for word in chunk.words.split()]),
        import_tags=options.tags,
    )
    status = "replaced" if replacing else "added"
    return FileOutcome(str(path), status, key, len(chunks), removed), embed_seconds
