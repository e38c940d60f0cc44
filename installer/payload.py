"""Lay out the files the MSI installs, and check them before wixl packs them.

Layout under the install folder (C:\\Program Files\\ED Sentinel):

    python.exe, pythonw.exe, python311.dll, python311.zip ...   the embeddable CPython
    python311._pth                                              its sys.path
    Lib\\site-packages\\                                         the app and its Windows wheels
    policy\\                                                     the Group Policy template
    sentinel.cmd                                                the command line, for IT
    vosk-model\\                                                 only when the build got one

The checks: no Linux or macOS binary, every Windows binary 64-bit x86, every DLL a binary imports
present in the payload or part of Windows itself, file names the MSI's code page can hold, and
paths short enough for Windows' 260-character limit.
"""

from __future__ import annotations

import compileall
import hashlib
import logging
import py_compile
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from installer.binaries import MACHINE_AMD64, file_kind, read_pe
from installer.errors import BadBuildInput, PayloadError

log = logging.getLogger(__name__)

SITE_PACKAGES = "Lib/site-packages"
VOSK_FOLDER = "vosk-model"
POLICY_SOURCE = Path(__file__).with_name("policy")
DEFAULT_INSTALL_DIR = "C:\\Program Files\\ED Sentinel\\"
MAX_PATH = 260
VOSK_REQUIRED = ("am/final.mdl", "conf/mfcc.conf")

SENTINEL_CMD = (
    "@echo off\r\n"
    "rem The sentinel command line of ED Sentinel, on the bundled Python.\r\n"
    '"%~dp0python.exe" -B -c "import sys; from engine.cli.main import main; '
    'sys.exit(main())" %*\r\n'
)

# DLLs that every supported Windows (10 1809 and later, 11) has in System32, plus the API sets.
SYSTEM_DLLS = frozenset((
    "advapi32", "authz", "avrt", "bcrypt", "bcryptprimitives", "cabinet", "comctl32",
    "comdlg32", "crypt32", "d2d1", "d3d11", "d3d12", "d3d9", "d3dcompiler_47", "dnsapi",
    "dwmapi", "dwrite", "dxgi", "dxva2", "evr", "gdi32", "hid", "icuuc", "imagehlp", "imm32",
    "iphlpapi", "kernel32", "mf", "mfplat", "mfreadwrite", "mpr", "mscms", "msi", "msvcrt",
    "ncrypt", "netapi32", "ntdll", "ole32", "oleaut32", "opengl32", "propsys", "rpcrt4",
    "secur32", "setupapi", "shcore", "shell32", "shlwapi", "uiautomationcore", "user32",
    "userenv", "uxtheme", "version", "winhttp", "winmm", "winspool", "ws2_32", "wtsapi32",
))


@dataclass
class PayloadReport:
    """What the checks found: counts for the build report."""

    files: int = 0
    bytes: int = 0
    windows_binaries: int = 0
    python_files: int = 0
    problems: list[str] = field(default_factory=list)


def check_vosk_model(folder: Path) -> Path:
    """The Vosk model folder IT gave, or BadBuildInput saying what is missing."""
    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise BadBuildInput(f"--vosk-model {folder}: no such folder")
    missing = [name for name in VOSK_REQUIRED if not (folder / name).is_file()]
    if missing:
        raise BadBuildInput(f"--vosk-model {folder} is not a Vosk model folder (missing "
                            f"{', '.join(missing)}); give the unpacked model, e.g. "
                            "vosk-model-small-cn-0.22")
    return folder


def add_extras(stage: Path, vosk_model: Path | None) -> None:
    """The policy template, the command-line wrapper and the optional Vosk model."""
    shutil.copytree(POLICY_SOURCE, stage / "policy", dirs_exist_ok=True)
    (stage / "sentinel.cmd").write_bytes(SENTINEL_CMD.encode("ascii"))
    if vosk_model is not None:
        shutil.copytree(vosk_model, stage / VOSK_FOLDER, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))


def precompile(site: Path) -> None:
    """Bytecode for every module, valid without timestamps.

    The install folder is read-only for users, so Python could never cache bytecode there; with
    unchecked-hash .pyc files each start skips compiling, and nothing is ever written beside the
    installed files (which would outlive an uninstall).
    """
    if sys.version_info[:2] != (3, 11):
        log.warning("building with Python %d.%d: bytecode for 3.11 not written",
                    *sys.version_info[:2])
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # third-party SyntaxWarnings are not ours to fix
        # One process: with several, the bytecode differs from build to build.
        compileall.compile_dir(site, quiet=2, stripdir=str(site), workers=1,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


def payload_files(stage: Path) -> list[str]:
    return sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())


def check_payload(stage: Path) -> PayloadReport:
    """Run every check; PayloadError listing all problems found."""
    report = PayloadReport()
    files = payload_files(stage)
    present = {name.rpartition("/")[2].lower() for name in files}
    for relative in files:
        path = stage / relative
        report.files += 1
        report.bytes += path.stat().st_size
        report.python_files += relative.endswith(".py")
        report.problems += _name_problems(relative)

        kind = file_kind(path)
        if kind in ("elf", "mach-o"):
            report.problems.append(f"{relative}: a {kind} binary cannot run on Windows")
        elif kind == "pe" and path.suffix.lower() in (".exe", ".dll", ".pyd"):
            report.windows_binaries += 1
            report.problems += _pe_problems(path, relative, present)

    if report.problems:
        shown = "\n  ".join(report.problems[:40])
        raise PayloadError(f"the payload breaks {len(report.problems)} rule(s):\n  {shown}")
    return report


def _name_problems(relative: str) -> list[str]:
    problems = []
    if not relative.isascii():
        problems.append(f"{relative}: not an ASCII name (the MSI uses code page 1252)")
    if len(DEFAULT_INSTALL_DIR) + len(relative) >= MAX_PATH:
        problems.append(f"{relative}: longer than Windows' {MAX_PATH}-character path limit")
    return problems


def _pe_problems(path: Path, relative: str, present: set[str]) -> list[str]:
    info = read_pe(path)
    problems = []
    if info.machine != MACHINE_AMD64:
        problems.append(f"{relative}: built for {info.machine_name}, not x64")
    for dll in info.imports:
        if dll in present or _is_system_dll(dll):
            continue
        problems.append(f"{relative}: needs {dll}, which is neither in the payload nor "
                        "part of Windows (pruned too much?)")
    return problems


def _is_system_dll(name: str) -> bool:
    if name.startswith(("api-ms-win-", "ext-ms-win-")):
        return True
    stem = name.rsplit(".", 1)[0]
    return stem in SYSTEM_DLLS


def write_manifest(stage: Path, files: list[str], target: Path) -> None:
    """`sha256  path` for every file, as sha256sum writes it; tests compare MSIs against it."""
    lines = [f"{_sha256_file(stage / relative)}  {relative}" for relative in files]
    target.write_text("\n".join(lines) + "\n", "utf-8")


def read_manifest(path: Path) -> dict[str, str]:
    entries = {}
    for line in path.read_text("utf-8").splitlines():
        digest, _, relative = line.partition("  ")
        entries[relative] = digest
    return entries


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
