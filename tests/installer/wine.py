"""A throw-away Wine prefix to install, upgrade and remove the MSI in, as msiexec on Windows would.

Wine's menu builder is switched off: it would write .desktop files into the real home folder.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
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


def forwarder_dll(dll_name: str, exports: dict[str, str]) -> bytes:
    """A 64-bit DLL holding only an export table that forwards each name to another DLL."""
    section_rva, file_alignment = 0x1000, 0x200
    names = sorted(exports)
    count = len(names)
    functions = section_rva + 40  # after the export directory
    name_pointers = functions + 4 * count
    ordinals = name_pointers + 4 * count
    strings = bytearray()
    strings_rva = ordinals + 2 * count

    def add(text: str) -> int:
        offset = strings_rva + len(strings)
        strings.extend(text.encode("ascii") + b"\0")
        return offset

    dll_rva = add(dll_name)
    name_rvas = [add(name) for name in names]
    target_rvas = [add(exports[name]) for name in names]
    body = struct.pack("<IIHHIIIIIII", 0, 0, 0, 0, dll_rva, 1, count, count, functions,
                       name_pointers, ordinals)
    body += b"".join(struct.pack("<I", rva) for rva in target_rvas)
    body += b"".join(struct.pack("<I", rva) for rva in name_rvas)
    body += b"".join(struct.pack("<H", index) for index in range(count))
    body += bytes(strings)
    size = len(body)
    raw_size = -(-size // file_alignment) * file_alignment

    dos = bytearray(0x40)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)
    dll_flags = 0x2022  # executable image, large-address aware, DLL
    coff = struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, 240, dll_flags)
    directories = [(0, 0)] * 16
    directories[0] = (section_rva, size)  # the export table
    image_size = section_rva + -(-size // 0x1000) * 0x1000
    optional = struct.pack("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII", 0x20B, 14, 0, 0, raw_size, 0, 0,
                           section_rva, 0x180000000, 0x1000, file_alignment, 6, 0, 0, 0, 6, 0,
                           0, image_size, file_alignment, 0, 3, 0x0160, 0x100000, 0x1000,
                           0x100000, 0x1000, 0, 16)
    optional += b"".join(struct.pack("<II", *entry) for entry in directories)
    section = struct.pack("<8sIIIIIIHHI", b".rdata", size, section_rva, raw_size,
                          file_alignment, 0, 0, 0, 0, 0x40000040)
    header = bytes(dos) + b"PE\0\0" + coff + optional + section
    header += b"\0" * (file_alignment - len(header))
    return header + body + b"\0" * (raw_size - size)


def add_process_prng(wine: Wine) -> Path:
    """Give Wine 8.0 the bcryptprimitives.dll it lacks (Windows 10 and 11 have it).

    Rust's standard library (1.78 on) takes random bytes from ProcessPrng in that DLL, so
    pydantic_core and cryptography cannot load under Wine 8 without it. This test-only DLL
    forwards ProcessPrng to advapi32's RtlGenRandom (SystemFunction036), which has the same
    arguments. It lives in the test's Wine prefix, never in the MSI.
    """
    target = wine.drive_c / "windows" / "system32" / "bcryptprimitives.dll"
    target.write_bytes(forwarder_dll("bcryptprimitives.dll",
                                     {"ProcessPrng": "advapi32.SystemFunction036"}))
    return target
