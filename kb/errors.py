"""The knowledge base's exception tree.

Every error `kb` raises derives from `KBError`. Each class carries the exit code the command
line uses for it: 2 when what the user gave is wrong (the message says how to fix it), 3 when
the inference box was needed for embeddings and did not answer, 1 for everything else.

    KBError (1)
    ├── KBInputError (2: a query, filter, option, file or key given by the user is wrong)
    │   ├── BadQuery            empty, too long or unsearchable query; bad k
    │   ├── BadFilter           unknown level, a department level without a department
    │   ├── UnknownRole         a role the access rules do not know
    │   ├── UnknownDocument     no document with that id or key
    │   ├── BadEvalFile         an evaluation file line is malformed
    │   ├── BadKey              a signing or public key that cannot be read
    │   └── NoKnowledgeBase     nothing imported or pulled yet
    ├── DocumentError (2: one file of an import; reported, then skipped)
    │   ├── UnsupportedFormat   a file type the importer cannot read
    │   ├── UnreadableDocument  corrupt PDF/DOCX, binary junk, unknown text encoding
    │   └── EmptyDocument       nothing left to index after extraction and cleaning
    ├── StoreError (1: the database itself)
    │   ├── SchemaTooNew        written by a newer ED Sentinel
    │   └── VectorIndexError    vector files missing, stale or corrupt (rebuild them)
    ├── EmbedderError
    │   ├── EmbedderMismatch (2)     vectors made by another embedder than the one offered
    │   └── EmbedderUnavailable (3)  the embedder (box or local model) cannot be used
    └── BundleError (1: publishing or pulling a bundle)
        ├── BundleUnavailable   source unreachable, file missing, transfer interrupted
        ├── BundleTampered      signature or sha256 does not match
        └── BundleRejected      wrong level, older than the installed one, malformed manifest
"""

from __future__ import annotations


class KBError(Exception):
    """Base of every error raised by the knowledge base."""

    exit_code = 1


class KBInputError(KBError):
    """Something the user gave is wrong; the message names it and how to fix it."""

    exit_code = 2


class BadQuery(KBInputError):
    """The query cannot be searched as given."""


class BadFilter(KBInputError):
    """A department, level or tag filter, or an import's classification, is wrong."""


class UnknownRole(KBInputError):
    """The workstation's role is not one the access rules know."""


class UnknownDocument(KBInputError):
    """No document has that id or key."""


class BadEvalFile(KBInputError):
    """A line of an evaluation file is malformed."""


class BadKey(KBInputError):
    """A signing key or public key cannot be used."""


class NoKnowledgeBase(KBInputError):
    """Nothing has been imported or pulled yet."""


class DocumentError(KBError):
    """One file of an import cannot be used; the import reports it and goes on."""

    exit_code = 2

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class UnsupportedFormat(DocumentError):
    """The file's type is not one the importer reads."""


class UnreadableDocument(DocumentError):
    """The file is corrupt, binary or in an unknown encoding."""


class EmptyDocument(DocumentError):
    """After extraction and cleaning nothing is left to index."""


class StoreError(KBError):
    """The knowledge-base database cannot be used."""


class SchemaTooNew(StoreError):
    """The database holds migrations this version does not know."""


class VectorIndexError(StoreError):
    """The vector files beside the database are missing, stale or corrupt."""


class EmbedderError(KBError):
    """Embedding failed or does not fit the store."""


class EmbedderMismatch(EmbedderError):
    """The store's vectors were made by another embedder than the one offered."""

    exit_code = 2


class EmbedderUnavailable(EmbedderError):
    """The embedder cannot be used here (box unreachable, local model not installed)."""

    exit_code = 3


class BundleError(KBError):
    """Publishing or pulling a bundle failed; an installed copy stays in use."""


class BundleUnavailable(BundleError):
    """The bundle cannot be fetched: unreachable, missing file, interrupted transfer."""


class BundleTampered(BundleError):
    """A signature or a file's sha256 does not match the manifest."""


class BundleRejected(BundleError):
    """The bundle is valid but not acceptable here (level, version, format)."""
