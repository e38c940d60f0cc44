"""Secret keys of the stores, kept in the OS keyring of the user.

Each data folder has its own keys, one per purpose ("journal" seals cases, "audit" keys the audit
log's HMACs). They live in the OS keyring under the service "ed-sentinel" (Windows Credential
Manager, the Secret Service on Linux, the Keychain on macOS). Where no keyring exists (headless
Linux, CI), the key goes to a file in the data folder that only the user may read, and the caller
gets a warning to pass on: anyone who can read that file as this user can read the cases.

A key that is not found is made anew; the caller compares key ids with what the store recorded
to tell a first start from a lost key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import getpass
import hashlib
import logging
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import keyring
import keyring.errors

from engine.storage.crypto import KEY_BYTES, key_id, new_key

log = logging.getLogger(__name__)

SERVICE = "ed-sentinel"
KEY_FOLDER = "keys"
_PRIVATE = 0o600

# Backends raise KeyringError (NoKeyringError where none exists); some raise OS or runtime
# errors of their own (a locked or absent D-Bus session).
_KEYRING_FAILURES = (keyring.errors.KeyringError, RuntimeError, OSError)


@dataclass(frozen=True)
class KeyInfo:
    """A key and where it came from."""

    key: bytes
    key_id: str
    source: Literal["keyring", "file"]
    created: bool
    warning: str | None = None


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"


class KeyStore:
    """The keys of one data folder for the current OS user."""

    def __init__(self, home: Path, user: str | None = None) -> None:
        self.home = home
        self.user = os_user() if user is None else user
        self._tag = hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:12]

    def entry_name(self, purpose: str) -> str:
        """The keyring user name of one secret of this folder."""
        return f"{purpose}:{self.user}:{self._tag}"

    def key_file(self, purpose: str) -> Path:
        return self.home / KEY_FOLDER / f"{purpose}.key"

    def get_or_create(self, purpose: str) -> KeyInfo:
        """The key for a purpose: from the keyring, else the key file; made when missing."""
        try:
            stored = keyring.get_password(SERVICE, self.entry_name(purpose))
        except _KEYRING_FAILURES as exc:
            log.debug("no usable keyring (%s); using the key file", type(exc).__name__)
            return self._from_file(purpose)

        key = _decode(stored) if stored else None
        if key is not None:
            return KeyInfo(key, key_id(key), "keyring", created=False)
        if stored:
            log.warning("the %s key in the keyring is damaged; a new key is made", purpose)

        adopted = self._read_file(purpose)
        fresh = adopted is None
        key = new_key() if adopted is None else adopted
        if not self._store_in_keyring(purpose, key):
            return self._from_file(purpose, None if adopted is not None else key)
        if adopted is not None:
            # A keyring appeared since the file was written: the key moves into it.
            _remove_file(self.key_file(purpose))
            log.info("the %s key moved from its key file into the OS keyring", purpose)
        return KeyInfo(key, key_id(key), "keyring", created=fresh)

    def get_secret(self, name: str) -> str | None:
        """A small non-key secret of this folder (the audit head), or None without a keyring."""
        try:
            return keyring.get_password(SERVICE, self.entry_name(name))
        except _KEYRING_FAILURES:
            return None

    def set_secret(self, name: str, value: str) -> bool:
        """Keep a small secret in the keyring; False where no keyring works."""
        try:
            keyring.set_password(SERVICE, self.entry_name(name), value)
        except _KEYRING_FAILURES as exc:
            log.debug("keyring refused %s: %s", name, type(exc).__name__)
            return False
        return True

    def _store_in_keyring(self, purpose: str, key: bytes) -> bool:
        encoded = base64.b64encode(key).decode()
        if not self.set_secret(purpose, encoded):
            return False
        # Some backends accept a secret and drop it: only a read-back proves it is kept.
        return self.get_secret(purpose) == encoded

    def _from_file(self, purpose: str, key: bytes | None = None) -> KeyInfo:
        path = self.key_file(purpose)
        warning = (
            f"No OS keyring is available, so the {purpose} key is kept in {path}, readable only "
            f"by user {self.user}. Anyone who can log in as {self.user} can read it; ask IT to "
            "enable a keyring (Windows Credential Manager or the Secret Service)."
        )
        log.debug("key for %s kept in a file: no keyring", purpose)  # the store tells the user
        found = self._read_file(purpose) if key is None else None
        if found is not None:
            return KeyInfo(found, key_id(found), "file", created=False, warning=warning)

        key = new_key() if key is None else key
        _write_private(path, base64.b64encode(key) + b"\n")
        return KeyInfo(key, key_id(key), "file", created=True, warning=warning)

    def _read_file(self, purpose: str) -> bytes | None:
        path = self.key_file(purpose)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        _tighten(path)
        key = _decode(raw.decode("ascii", errors="replace").strip())
        if key is None:
            damaged = path.with_suffix(".damaged")
            os.replace(path, damaged)
            log.warning("key file %s is damaged; moved to %s and a new key is made", path,
                        damaged)
        return key


def _decode(text: str) -> bytes | None:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == KEY_BYTES else None


def _write_private(path: Path, data: bytes) -> None:
    """Write a file that only its owner can read, created so from the first byte."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    # FIXME(storage): on Windows chmod sets only read-only; the file relies on the profile
    # folder's ACL (private to the user by default) instead of its own.
    os.replace(partial, path)


def _tighten(path: Path) -> None:
    """A key file others can read is made private again, loudly."""
    if sys.platform == "win32":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, _PRIVATE)
        log.warning("key file %s was readable by others (mode %o); made private (600)", path,
                    mode)


def _remove_file(path: Path) -> None:
    """Overwrite, then delete, so the old key's bytes do not stay in the file's blocks."""
    with contextlib.suppress(FileNotFoundError):
        size = path.stat().st_size
        with open(path, "r+b") as out:
            out.write(b"\0" * size)
            out.flush()
            os.fsync(out.fileno())
        path.unlink()
