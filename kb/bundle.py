"""Publishing signed bundles, and pulling them onto workstations.

Publishing writes one bundle per access level, each cumulative (the `department` bundle holds
public and department knowledge; `restricted` holds all), so a workstation pulls only what its
role may read. Layout of a publish folder (a shared folder, UNC path or web server):

    <level>/LATEST                   the newest version's name
    <level>/<version>/kb.sqlite      the database, lower levels only, vacuumed
    <level>/<version>/vectors.*      the vector files built for exactly those rows
    <level>/<version>/manifest.json  level, version, schema, embedder, sha256 and size of each
    <level>/<version>/manifest.sig   ed25519 signature of manifest.json, hex

A workstation keeps installed versions side by side and a pointer to the one in use:

    <cache>/versions/<version>/      verified bundles
    <cache>/CURRENT                  {"version": ..., "level": ...}, replaced atomically

An open SQLite file cannot be replaced on Windows, so a pull never overwrites: it downloads
into `versions/.<version>.partial`, verifies signature, sizes and hashes, opens the database,
renames the folder and only then switches the pointer. Any failure leaves the pointer, and so
the last good copy, as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kb.access import LEVELS, bundle_levels_upto, check_level
from kb.errors import (
    BadKey,
    BundleError,
    BundleRejected,
    BundleTampered,
    BundleUnavailable,
    KBError,
)
from kb.migrations import STORE_MIGRATIONS
from kb.store import DB_FILE, KnowledgeStore
from kb.vectors import FILES as VECTOR_FILES
from kb.vectors import VectorIndex

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
POINTER = "CURRENT"
LATEST = "LATEST"
VERSIONS = "versions"
BUNDLE_FILES = frozenset({DB_FILE, *VECTOR_FILES})
KEEP_VERSIONS = 2
SMALL_FILE_LIMIT = 1024 * 1024
COPY_BLOCK = 1024 * 1024
_VERSION = re.compile(r"^\d{8}T\d{6}Z(?:-[0-9a-z]{1,16})?$")


# -- keys ------------------------------------------------------------------------------
def generate_key(path: Path) -> str:
    """Write a new ed25519 signing key (PEM, owner-only) and return its public key, hex."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.exists():
        raise BadKey(f"{path} exists already; a signing key is never overwritten")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return public_hex(key)


def public_hex(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    return raw.hex()


def load_signing_key(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise BadKey(f"no signing key {path}; make one with `sentinel kb keygen`") from None
    except (ValueError, TypeError) as exc:
        raise BadKey(f"{path} is not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadKey(f"{path} is not an ed25519 key")
    return key


def load_public_key(hex_key: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    cleaned = (hex_key or "").strip().lower()
    if not cleaned:
        raise BadKey("no public key to verify bundles with: IT sets kb_public_key by policy "
                     "or the installer")
    if not re.fullmatch(r"[0-9a-f]{64}", cleaned):
        raise BadKey("kb_public_key must be 64 hexadecimal characters (an ed25519 public key)")
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(cleaned))


# -- publishing ------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishedBundle:
    level: str
    version: str
    folder: Path
    documents: int
    chunks: int


def new_version(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(COPY_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _keep_levels(db_path: Path, levels: tuple[str, ...], version: str, level: str) -> None:
    """Delete every row above `levels` from a copied database, then vacuum it so the deleted
    text is not left in free pages."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        marks = ", ".join("?" for _ in levels)
        conn.execute("BEGIN")
        conn.execute(f"DELETE FROM chunks_fts WHERE rowid IN (SELECT c.id FROM chunks c JOIN "
                     f"documents d ON d.id = c.document_id WHERE d.level NOT IN ({marks}))",
                     levels)
        conn.execute(f"DELETE FROM documents WHERE level NOT IN ({marks})", levels)
        # Editors' notes name documents; the bundle keeps only those it carries.
        conn.execute("DELETE FROM tag_edits WHERE doc_key NOT IN (SELECT doc_key FROM "
                     "documents)")
        if not conn.execute("SELECT 1 FROM chunk_vectors LIMIT 1").fetchone():
            conn.execute("DELETE FROM kb_meta WHERE key = 'embedder'")
        for key, value in (("bundle_version", version), ("bundle_level", level)):
            conn.execute("INSERT INTO kb_meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value", (key, value))
        conn.execute("COMMIT")
        conn.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('optimize')")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
    finally:
        conn.close()


def publish(library: KnowledgeStore, out: Path, signing_key: Any, *,
            levels: tuple[str, ...] = LEVELS, version: str | None = None
            ) -> list[PublishedBundle]:
    """Write a signed bundle for each level into `out` and point `<level>/LATEST` at it."""
    version = version or new_version()
    if not _VERSION.match(version):
        raise BundleRejected(f"bad bundle version {version!r}")
    for level in levels:
        check_level(level)
    return [_publish_level(library, out, signing_key, level, version) for level in levels]


def _publish_level(library: KnowledgeStore, out: Path, signing_key: Any, level: str,
                   version: str) -> PublishedBundle:
    target = out / level / version
    if target.exists():
        raise BundleRejected(f"{target} exists already; publish again in a second")
    staging = out / level / f".{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)

    library.db.execute("VACUUM INTO ?", [str(staging / DB_FILE)])
    _keep_levels(staging / DB_FILE, bundle_levels_upto(level), version, level)
    with KnowledgeStore.open(staging, readonly=True) as bundle:
        ids, docs, matrix = bundle.stored_vectors()
        if len(ids) and bundle.embedder:
            VectorIndex.build(staging, ids, docs, matrix, embedder=bundle.embedder,
                              generation=bundle.generation)
        documents = len(bundle.documents(_everyone()))
        chunks = bundle.chunk_count()
        embedder = bundle.embedder

    files = {path.name: {"sha256": _sha256(path), "bytes": path.stat().st_size}
             for path in sorted(staging.iterdir()) if path.name in BUNDLE_FILES}
    manifest = {
        "format": FORMAT, "level": level, "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schema": STORE_MIGRATIONS[-1].name, "embedder": embedder,
        "documents": documents, "chunks": chunks, "files": files,
    }
    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    (staging / MANIFEST).write_bytes(body)
    (staging / SIGNATURE).write_text(signing_key.sign(body).hex() + "\n", encoding="ascii")
    os.replace(staging, target)
    _write_atomic(out / level / LATEST, version + "\n")
    log.info("published %s bundle %s: %d documents, %d chunks", level, version, documents,
             chunks)
    return PublishedBundle(level, version, target, documents, chunks)


def _everyone() -> Any:
    from kb.access import Reader

    return Reader("admin")


def _write_atomic(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


# -- sources ---------------------------------------------------------------------------
class Source:
    """Where bundles are pulled from: a folder (local or UNC) or an HTTP(S) URL."""

    def read(self, name: str, limit: int = SMALL_FILE_LIMIT) -> bytes:
        raise NotImplementedError

    def copy(self, name: str, target: Path | None, on_block: Callable[[bytes], None],
             limit: int | None = None) -> None:
        """Stream `name` into `target` (or nowhere), handing each block to `on_block`."""
        raise NotImplementedError

    def describe(self, name: str) -> str:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections; nothing to release by default."""


class FolderSource(Source):
    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self, name: str) -> str:
        return str(self.root / name)

    def _open(self, name: str) -> Any:
        try:
            return (self.root / name).open("rb")
        except FileNotFoundError:
            raise BundleUnavailable(f"{self.describe(name)} does not exist") from None
        except OSError as exc:
            raise BundleUnavailable(f"cannot read {self.describe(name)}: {exc}") from None

    def read(self, name: str, limit: int = SMALL_FILE_LIMIT) -> bytes:
        with self._open(name) as handle:
            data: bytes = handle.read(limit + 1)
        if len(data) > limit:
            raise BundleRejected(f"{self.describe(name)} is larger than {limit} bytes")
        return data

    def copy(self, name: str, target: Path | None, on_block: Callable[[bytes], None],
             limit: int | None = None) -> None:
        with self._open(name) as handle:
            out = target.open("wb") if target is not None else None
            try:
                for block in iter(lambda: handle.read(COPY_BLOCK), b""):
                    on_block(block)
                    if out is not None:
                        out.write(block)
            except OSError as exc:
                raise BundleUnavailable(f"reading {self.describe(name)} failed: {exc}") \
                    from None
            finally:
                if out is not None:
                    out.close()


class HttpSource(Source):
    def __init__(self, base_url: str, *, timeout_s: float = 30.0, transport: Any = None,
                 verify: Any = True) -> None:
        import httpx

        self.base_url = base_url.rstrip("/") + "/"
        self._client = httpx.Client(timeout=httpx.Timeout(timeout_s), transport=transport,
                                    verify=verify, follow_redirects=False)

    def describe(self, name: str) -> str:
        return self.base_url + name

    def close(self) -> None:
        self._client.close()

    def read(self, name: str, limit: int = SMALL_FILE_LIMIT) -> bytes:
        chunks: list[bytes] = []
        self.copy(name, None, chunks.append, limit=limit)
        return b"".join(chunks)

    def copy(self, name: str, target: Path | None, on_block: Callable[[bytes], None],
             limit: int | None = None) -> None:
        import httpx

        url = self.describe(name)
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code == 404:
                    raise BundleUnavailable(f"{url} does not exist (HTTP 404)")
                if response.status_code != 200:
                    raise BundleUnavailable(f"{url} answered HTTP {response.status_code}")
                received = 0
                out = target.open("wb") if target is not None else None
                try:
                    for block in response.iter_bytes(COPY_BLOCK):
                        received += len(block)
                        if limit is not None and received > limit:
                            raise BundleRejected(f"{url} is larger than {limit} bytes")
                        on_block(block)
                        if out is not None:
                            out.write(block)
                finally:
                    if out is not None:
                        out.close()
        except httpx.HTTPError as exc:
            raise BundleUnavailable(f"downloading {url} was interrupted or failed "
                                    f"({type(exc).__name__}: {exc})") from None


def open_source(source: str, **http_options: Any) -> Source:
    """A source from what IT configured: http(s):// URL, file:// URL, folder or UNC path."""
    text = (source or "").strip()
    if not text:
        raise BundleUnavailable("no bundle source: give one, or IT sets kb_source by policy")
    if text.startswith(("http://", "https://")):
        return HttpSource(text, **http_options)
    if text.startswith("file://"):
        from urllib.parse import unquote, urlparse

        parsed = urlparse(text)
        host = f"//{parsed.netloc}" if parsed.netloc else ""
        return FolderSource(Path(host + unquote(parsed.path)))
    return FolderSource(Path(text))


# -- pulling ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PullResult:
    level: str
    version: str
    status: str  # installed, current
    previous: str | None
    documents: int = 0
    chunks: int = 0


def installed(cache: Path) -> dict[str, str] | None:
    """The pointer's content ({"version", "level"}), or None when nothing is installed."""
    try:
        data = json.loads((cache / POINTER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise BundleError(f"{cache / POINTER} is damaged ({exc}); pull again") from None
    if not isinstance(data, dict) or not _VERSION.match(str(data.get("version", ""))):
        raise BundleError(f"{cache / POINTER} is damaged; pull again")
    return {"version": str(data["version"]), "level": str(data.get("level", ""))}


def open_installed(cache: Path) -> KnowledgeStore | None:
    """The bundle the pointer names, opened read-only; None when none is installed."""
    pointer = installed(cache)
    if pointer is None:
        return None
    return KnowledgeStore.open(cache / VERSIONS / pointer["version"], readonly=True)


def _verify_manifest(body: bytes, signature: bytes, public_key: Any, level: str,
                     version: str) -> dict[str, Any]:
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(bytes.fromhex(signature.decode("ascii").strip()), body)
    except (InvalidSignature, ValueError, UnicodeDecodeError):
        raise BundleTampered(
            f"the {level} bundle {version}'s manifest signature does not verify with this "
            "workstation's kb_public_key: it was altered or signed by another key"
        ) from None
    try:
        manifest = json.loads(body)
    except ValueError:
        raise BundleRejected("the signed manifest is not JSON") from None
    if manifest.get("format") != FORMAT:
        raise BundleRejected(f"bundle format {manifest.get('format')!r} is not {FORMAT}: "
                             "update ED Sentinel")
    if manifest.get("level") != level or manifest.get("version") != version:
        raise BundleRejected(
            f"the manifest is for {manifest.get('level')} {manifest.get('version')}, "
            f"not {level} {version}"
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or DB_FILE not in files or \
            not set(files) <= BUNDLE_FILES:
        raise BundleRejected(f"the manifest lists unexpected files: {sorted(files or [])}")
    return manifest


def pull(source: Source, cache: Path, *, level: str, public_key: Any,
         allow_older: bool = False, after_file: Callable[[str], None] | None = None
         ) -> PullResult:
    """Fetch, verify and install the newest `level` bundle from `source`.

    `after_file` is called after each file arrives (progress; tests cut pulls short with it).
    """
    check_level(level)
    pointer = installed(cache)
    previous = pointer["version"] if pointer else None
    try:
        version = source.read(f"{level}/{LATEST}", limit=256).decode("utf-8").strip()
    except UnicodeDecodeError:
        raise BundleRejected(f"{source.describe(level + '/' + LATEST)} is not text") from None
    if not _VERSION.match(version):
        raise BundleRejected(f"{source.describe(level + '/' + LATEST)} names no version")
    if pointer and version == previous and pointer["level"] == level:
        return PullResult(level, version, "current", previous)
    if previous and version < previous and not allow_older:
        raise BundleRejected(f"the source offers {version}, older than the installed "
                             f"{previous}; refusing to go back (--allow-older to force)")

    base = f"{level}/{version}/"
    body = source.read(base + MANIFEST)
    signature = source.read(base + SIGNATURE, limit=1024)
    manifest = _verify_manifest(body, signature, public_key, level, version)

    versions = cache / VERSIONS
    staging = versions / f".{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for name, expected in sorted(manifest["files"].items()):
            _fetch_checked(source, base + name, staging / name, expected)
            if after_file is not None:
                after_file(name)
        (staging / MANIFEST).write_bytes(body)
        (staging / SIGNATURE).write_bytes(signature)
        documents, chunks = _check_opens(staging, version)
        final = versions / version
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    _write_atomic(cache / POINTER, json.dumps({
        "version": version, "level": level,
        "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }))
    _prune(versions, keep={version, previous})
    log.info("installed %s bundle %s (was %s)", level, version, previous)
    return PullResult(level, version, "installed", previous, documents, chunks)


def _fetch_checked(source: Source, name: str, target: Path, expected: dict[str, Any]) -> None:
    digest = hashlib.sha256()
    size = 0

    def count(block: bytes) -> None:
        nonlocal size
        size += len(block)
        digest.update(block)
        if size > int(expected.get("bytes", 0)):
            raise BundleTampered(f"{source.describe(name)} is larger than the manifest says")

    source.copy(name, target, count)
    if size != expected.get("bytes"):
        raise BundleUnavailable(f"{source.describe(name)} arrived with {size} of "
                                f"{expected.get('bytes')} bytes: the transfer was cut short")
    if digest.hexdigest() != expected.get("sha256"):
        raise BundleTampered(f"{source.describe(name)}'s sha256 does not match the signed "
                             "manifest: the file was altered")


def _check_opens(folder: Path, version: str) -> tuple[int, int]:
    try:
        with KnowledgeStore.open(folder, readonly=True) as store:
            if store.meta("bundle_version") != version:
                raise BundleRejected(f"the database inside says it is "
                                     f"{store.meta('bundle_version')}, not {version}")
            check = store.db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BundleRejected(f"the bundle's database fails its check: {check}")
            store.vector_index()
            return len(store.documents(_everyone())), store.chunk_count()
    except BundleError:
        raise
    except KBError as exc:
        raise BundleRejected(f"the bundle does not open: {exc}") from None


def _prune(versions: Path, keep: set[str | None]) -> None:
    for folder in versions.iterdir():
        if folder.name in keep:
            continue
        try:
            shutil.rmtree(folder)
        except OSError as exc:
            # Windows keeps a database open by a running panel; the next pull retries.
            log.debug("could not remove old bundle %s yet: %s", folder, exc)
