"""A throw-away Wine prefix to install, upgrade and remove the MSI in, as msiexec on Windows would.

Wine's menu builder is switched off: it would write .desktop files into the real home folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

WINE_CANDIDATES = ("wine64", "/usr/lib/wine/wine64")
WINESERVER_CANDIDATES = ("wineserver", "/usr/lib/wine/wineserver64", "/usr/lib/wine/wineserver")
INSTALL_DIR = r"C:\Program Files\ED Sentinel"
REG_LINE = re.compile(r"^ {4}(?P<name>.+?) {4}(?P<type>REG_\w+) {4}(?P<value>.*)$")
# msiexec's exit status as Linux sees it: the low byte of Windows' 32-bit code.
ERROR_INSTALL_FAILURE = 1603 & 0xFF


def _find(candidates: tuple[str, ...]) -> str:
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    raise FileNotFoundError(f"none of {candidates}: apt-get install wine64")


class Wine:
    """One Wine prefix with helpers for msiexec, reg and the installed Python."""

    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self.wine = _find(WINE_CANDIDATES)
        self.wineserver = _find(WINESERVER_CANDIDATES)
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("SENTINEL_", "PYTHON", "QT_"))}
        self.env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all",
                        WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree=d;mshtml=d")

    @property
    def drive_c(self) -> Path:
        return self.prefix / "drive_c"

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.wine, *args], capture_output=True, text=True,
                              env=self.env, timeout=timeout, check=False,
                              encoding="utf-8", errors="replace")

    def boot(self) -> None:
        done = self.run("wineboot", "--init")
        assert done.returncode == 0, done.stderr
        self.settle()

    def settle(self) -> None:
        """Wait until the wineserver has exited, so the registry files are written out."""
        subprocess.run([self.wineserver, "-w"], env=self.env, timeout=120, check=False)

    def msiexec(self, *args: str, log: Path) -> int:
        done = self.run("msiexec", *args, "/qn", "/l*v", str(log))
        self.settle()
        return done.returncode

    def registry(self, key: str) -> dict[str, tuple[str, str]] | None:
        """Values of a key in the 64-bit view: name -> (type, data); None if no such key."""
        done = self.run("reg", "query", key, "/reg:64")
        if done.returncode != 0:
            return None
        values = {}
        for line in done.stdout.replace("\r", "").splitlines():
            match = REG_LINE.match(line)
            if match:
                values[match["name"]] = (match["type"], match["value"])
        return values

    def reg_add(self, key: str, name: str, kind: str, data: str) -> None:
        done = self.run("reg", "add", key, "/v", name, "/t", kind, "/d", data, "/f", "/reg:64")
        assert done.returncode == 0, done.stdout + done.stderr

    def python(self, code: str, timeout: float = 300) -> str:
        """Run code on the installed Windows Python; its stdout (CRLF turned into LF)."""
        done = self.run(f"{INSTALL_DIR}\\python.exe", "-B", "-c", code, timeout=timeout)
        assert done.returncode == 0, f"Windows Python failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout.replace("\r\n", "\n")

    def unix_path(self, windows_path: str) -> Path:
        assert windows_path[:3].upper() == "C:\\", windows_path
        return self.drive_c.joinpath(*windows_path[3:].split("\\"))

    def files(self) -> set[str]:
        """Every file and folder under drive_c but Wine's own (windows/) and temp folders."""
        found = set()
        for path in self.drive_c.rglob("*"):
            relative = path.relative_to(self.drive_c).as_posix()
            if relative.startswith("windows/") or "/Temp/" in f"/{relative}/":
                continue
            found.add(relative)
        return found

    def registry_text(self) -> str:
        self.settle()
        return "".join((self.prefix / name).read_text("utf-8", "replace")
                       for name in ("system.reg", "user.reg"))
