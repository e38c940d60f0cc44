"""Authenticode signatures of the Windows binaries we ship, checked with osslsigncode.

The build machine has no network but PyPI, so certificate revocation lists cannot be fetched
(`-ignore-crl`); the digest, the chain up to a root in Debian's CA store and the timestamp
still are. Binaries whose signer's root is not in that store (Microsoft's runtime DLLs) are
left to the pinned hashes of the files that carry them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from installer.errors import SignatureError

PSF = "Python Software Foundation"
QT_COMPANY = "The QT Company"


def verify(paths: list[Path], signer: str, origin: str) -> int:
    """Check each file is validly signed by `signer`; how many were checked."""
    tool = shutil.which("osslsigncode")
    if tool is None:
        raise SignatureError("osslsigncode is not installed; `apt-get install osslsigncode`")

    def check(path: Path) -> str | None:
        done = subprocess.run([tool, "verify", "-ignore-crl", "-in", str(path)],
                              capture_output=True, text=True, check=False)
        if done.returncode == 0 and signer in done.stdout:
            return None
        return f"{path.name}: {done.stdout.strip().splitlines()[-3:]}"

    # osslsigncode is single-threaded and spends its time hashing: one per core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        failures = [failure for failure in pool.map(check, paths) if failure]
    if failures:
        shown = "\n  ".join(failures[:10])
        raise SignatureError(f"{len(failures)} binaries from {origin} are not validly signed "
                             f"by {signer}:\n  {shown}")
    return len(paths)


def windows_binaries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".exe", ".dll", ".pyd"))
