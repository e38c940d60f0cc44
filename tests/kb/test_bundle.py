"""Publishing signed bundles and pulling them: folders, HTTP, tampering, interrupted pulls."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from kb import (
    KnowledgeStore,
    generate_key,
    installed,
    load_public_key,
    load_signing_key,
    open_installed,
    open_source,
    publish,
    pull,
    search,
)
from kb.errors import BadKey, BundleRejected, BundleTampered, BundleUnavailable
from tests.kb.conftest import EDITOR, EMERGENCY_CLINICIAN, RESTRICTED_MD

VERSION_1 = "20250101T000000Z"
VERSION_2 = "20250102T000000Z"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[object, object]:
    public = generate_key(tmp_path / "keys" / "signing.pem")
    return load_signing_key(tmp_path / "keys" / "signing.pem"), load_public_key(public)


@pytest.fixture
def published(tmp_path: Path, vector_library: KnowledgeStore,
              keys: tuple[object, object]) -> Path:
    out = tmp_path / "published"
    publish(vector_library, out, keys[0], version=VERSION_1)
    return out


def _pull(source: str | Path, cache: Path, public: object, level: str = "department",
          **kw: object) -> object:
    opened = open_source(str(source))
    try:
        return pull(opened, cache, level=level, public_key=public, **kw)  # type: ignore[arg-type]
    finally:
        opened.close()


def test_each_level_gets_a_signed_cumulative_bundle(published: Path) -> None:
    for level in ("public", "department", "restricted"):
        folder = published / level / VERSION_1
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        assert (published / level / "LATEST").read_text().strip() == VERSION_1
        assert manifest["level"] == level and manifest["version"] == VERSION_1
        assert {"kb.sqlite", "vectors.npy", "vector_ids.npy", "vectors.json"} <= \
            set(manifest["files"])
        assert (folder / "manifest.sig").read_text().strip()

    counts = {level: json.loads((published / level / VERSION_1 / "manifest.json")
                                .read_text("utf-8"))["documents"]
              for level in ("public", "department", "restricted")}
    assert counts["public"] < counts["department"] < counts["restricted"]


def test_restricted_text_is_in_no_lower_bundle_at_all(published: Path) -> None:
    marker = "限制级标记甲乙丙".encode()
    assert marker.decode() in RESTRICTED_MD
    for level in ("public", "department"):
        for path in (published / level / VERSION_1).iterdir():
            assert marker not in path.read_bytes(), path
    assert any(marker in p.read_bytes() for p in (published / "restricted" / VERSION_1).iterdir())


def test_pull_from_a_folder_installs_and_switches_the_pointer(
        tmp_path: Path, published: Path, keys: tuple[object, object], e5: object) -> None:
    cache = tmp_path / "cache"

    result = _pull(published, cache, keys[1])

    assert result.status == "installed" and result.version == VERSION_1  # type: ignore[attr-defined]
    assert installed(cache) == {"version": VERSION_1, "level": "department"}
    with open_installed(cache) as store:  # type: ignore[union-attr]
        assert store.readonly and store.version == VERSION_1
        hits = search(store, "胸痛", reader=EMERGENCY_CLINICIAN, k=5, embedder=e5).hits  # type: ignore[arg-type]
        assert hits and "麻醉药品管理.md" not in {h.document for h in hits}
        assert {d.key for d in store.documents(EDITOR)} >= {"胸痛流程.md", "心衰处理.txt"}
        assert "麻醉药品管理.md" not in {d.key for d in store.documents(EDITOR)}
    assert _pull(published, cache, keys[1]).status == "current"  # type: ignore[attr-defined]


def test_a_new_version_replaces_the_old_side_by_side(
        tmp_path: Path, published: Path, vector_library: KnowledgeStore,
        keys: tuple[object, object]) -> None:
    cache = tmp_path / "cache"
    _pull(published, cache, keys[1])
    old_store = open_installed(cache)  # a panel still has the old version open
    vector_library.remove_document("气胸.pdf", EDITOR)
    publish(vector_library, published, keys[0], version=VERSION_2)

    result = _pull(published, cache, keys[1])

    assert result.previous == VERSION_1 and result.version == VERSION_2  # type: ignore[attr-defined]
    assert sorted(p.name for p in (cache / "versions").iterdir()) == [VERSION_1, VERSION_2]
    assert old_store is not None and old_store.chunk_count() > 0  # still readable
    old_store.close()
    with open_installed(cache) as store:  # type: ignore[union-attr]
        assert "气胸.pdf" not in {d.key for d in store.documents(EDITOR)}


def _tamper_and_pull(tmp_path: Path, published: Path, keys: tuple[object, object],
                     name: str, change: bytes) -> Exception:
    cache = tmp_path / "cache"
    _pull(published, cache, keys[1])
    second = tmp_path / "second"
    shutil.copytree(published, second)
    for level in ("department",):
        old = second / level / VERSION_1
        old.rename(second / level / VERSION_2)
        manifest = json.loads((second / level / VERSION_2 / "manifest.json").read_text())
        manifest["version"] = VERSION_2
        (second / level / VERSION_2 / "manifest.json").write_text(json.dumps(manifest))
        (second / level / "LATEST").write_text(VERSION_2)
    target = second / "department" / VERSION_2 / name
    target.write_bytes(target.read_bytes() + change)
    with pytest.raises((BundleTampered, BundleRejected, BundleUnavailable)) as caught:
        _pull(second, cache, keys[1])
    assert installed(cache) == {"version": VERSION_1, "level": "department"}
    assert not [p for p in (cache / "versions").iterdir() if p.name.startswith(".")]
    with open_installed(cache) as store:  # type: ignore[union-attr]
        assert search(store, "胸痛", reader=EMERGENCY_CLINICIAN, k=3).hits
    return caught.value


def test_an_altered_manifest_fails_its_signature_and_the_old_copy_stays(
        tmp_path: Path, published: Path, keys: tuple[object, object]) -> None:
    error = _tamper_and_pull(tmp_path, published, keys, "manifest.json", b" ")

    assert isinstance(error, BundleTampered) and "signature" in str(error)


def test_an_altered_database_fails_its_hash_and_the_old_copy_stays(
        tmp_path: Path, published: Path, keys: tuple[object, object]) -> None:
    cache = tmp_path / "cache"
    _pull(published, cache, keys[1])
    second = tmp_path / "second"
    shutil.copytree(published, second)
    database = second / "department" / VERSION_1 / "kb.sqlite"
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))
    shutil.rmtree(cache)

    with pytest.raises(BundleTampered, match="sha256"):
        _pull(second, cache, keys[1])

    assert installed(cache) is None and open_installed(cache) is None


def test_a_bundle_signed_by_another_key_is_refused(
        tmp_path: Path, published: Path) -> None:
    stranger = load_public_key(generate_key(tmp_path / "stranger.pem"))

    with pytest.raises(BundleTampered, match="signature"):
        _pull(published, tmp_path / "cache", stranger)


def test_an_older_bundle_is_refused(tmp_path: Path, published: Path,
                                    vector_library: KnowledgeStore,
                                    keys: tuple[object, object]) -> None:
    cache = tmp_path / "cache"
    publish(vector_library, published, keys[0], version=VERSION_2)
    _pull(published, cache, keys[1])
    (published / "department" / "LATEST").write_text(VERSION_1)

    with pytest.raises(BundleRejected, match="older"):
        _pull(published, cache, keys[1])
    assert _pull(published, cache, keys[1], allow_older=True).version == VERSION_1  # type: ignore[attr-defined]


def test_a_missing_source_or_level_says_so(tmp_path: Path, published: Path,
                                           keys: tuple[object, object]) -> None:
    with pytest.raises(BundleUnavailable, match="does not exist"):
        _pull(tmp_path / "nowhere", tmp_path / "cache", keys[1])
    shutil.rmtree(published / "public")
    with pytest.raises(BundleUnavailable, match="does not exist"):
        _pull(published, tmp_path / "cache", keys[1], level="public")
    with pytest.raises(BundleUnavailable, match="no bundle source"):
        open_source("")


@pytest.mark.parametrize("bad", ["", "abc", "zz" * 32, "ab" * 31])
def test_bad_public_keys_are_explained(bad: str) -> None:
    with pytest.raises(BadKey):
        load_public_key(bad)


def test_signing_keys_are_never_overwritten_and_must_be_ed25519(tmp_path: Path) -> None:
    generate_key(tmp_path / "k.pem")
    with pytest.raises(BadKey, match="never overwritten"):
        generate_key(tmp_path / "k.pem")
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(BadKey, match="PEM"):
        load_signing_key(tmp_path / "junk.pem")
    with pytest.raises(BadKey, match="keygen"):
        load_signing_key(tmp_path / "missing.pem")
    assert (tmp_path / "k.pem").stat().st_mode & 0o077 == 0


# -- HTTP -------------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    cut_file: str | None = None

    def log_message(self, *_: object) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        if self.cut_file and self.path.endswith(self.cut_file):
            data = source.read()
            outputfile.write(data[: len(data) // 2])  # then hang up, mid-file
            self.close_connection = True
            return
        super().copyfile(source, outputfile)


@pytest.fixture
def http_root(published: Path) -> Iterator[tuple[str, type[_QuietHandler]]]:
    handler = type("Handler", (_QuietHandler,), {})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(handler, directory=str(published)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", handler
    server.shutdown()
    server.server_close()
    thread.join()


def test_pull_over_http(tmp_path: Path, http_root: tuple[str, type[_QuietHandler]],
                        keys: tuple[object, object]) -> None:
    url, _ = http_root

    result = _pull(url, tmp_path / "cache", keys[1], level="public")

    assert result.status == "installed" and result.chunks > 0  # type: ignore[attr-defined]


def test_a_pull_cut_off_halfway_leaves_the_last_good_copy(
        tmp_path: Path, http_root: tuple[str, type[_QuietHandler]],
        keys: tuple[object, object], published: Path, vector_library: KnowledgeStore) -> None:
    url, handler = http_root
    cache = tmp_path / "cache"
    _pull(url, cache, keys[1])
    publish(vector_library, published, keys[0], version=VERSION_2)
    handler.cut_file = "kb.sqlite"

    with pytest.raises(BundleUnavailable, match=r"interrupted|cut short"):
        _pull(url, cache, keys[1])

    assert installed(cache) == {"version": VERSION_1, "level": "department"}
    assert sorted(p.name for p in (cache / "versions").iterdir()) == [VERSION_1]
    with open_installed(cache) as store:  # type: ignore[union-attr]
        assert search(store, "胸痛", reader=EMERGENCY_CLINICIAN, k=3).hits
    handler.cut_file = None
    assert _pull(url, cache, keys[1]).version == VERSION_2  # type: ignore[attr-defined]


def test_a_pull_killed_between_files_is_cleaned_up_by_the_next(
        tmp_path: Path, published: Path, keys: tuple[object, object]) -> None:
    cache = tmp_path / "cache"

    class Killed(BaseException):
        pass

    def die(name: str) -> None:
        raise Killed(name)

    with pytest.raises(Killed):
        _pull(published, cache, keys[1], after_file=die)
    assert installed(cache) is None
    # A real kill leaves its partial folder behind; make one as it would be.
    (cache / "versions" / f".{VERSION_1}.partial").mkdir(parents=True)
    (cache / "versions" / f".{VERSION_1}.partial" / "kb.sqlite").write_bytes(b"half")

    assert _pull(published, cache, keys[1]).status == "installed"  # type: ignore[attr-defined]
    assert sorted(p.name for p in (cache / "versions").iterdir()) == [VERSION_1]
