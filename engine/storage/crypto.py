"""AES-GCM sealing of what the stores keep, and the small key helpers around it.

A sealed value is `version (1 byte) | nonce (12 bytes) | ciphertext with its 16-byte tag`. The
context (case id and field name) is bound in as associated data, so a sealed value copied to
another row or case does not open there.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from engine.storage.errors import Unreadable

KEY_BYTES = 32
NONCE_BYTES = 12
_FORMAT = b"\x01"
TAG_BYTES = 16
SEAL_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES  # format byte, nonce, tag


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return os.urandom(KEY_BYTES)


def key_id(key: bytes) -> str:
    """A short public name of a key, so rows can say which key sealed them."""
    return hmac.new(key, b"ed-sentinel key id", hashlib.sha256).hexdigest()[:16]


def derive(key: bytes, purpose: str) -> bytes:
    """A sub-key for one purpose, so one stored secret never does two jobs."""
    return hmac.new(key, b"ed-sentinel derive:" + purpose.encode(), hashlib.sha256).digest()


class Sealer:
    """Seals and opens values with one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a sealing key has {KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(key)
        self.key_id = key_id(key)

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return _FORMAT + nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        """The plaintext, or Unreadable when the key, the context or the bytes differ."""
        if sealed[:1] != _FORMAT or len(sealed) < SEAL_OVERHEAD:
            raise Unreadable(f"{context}: not a sealed value of a known format")
        nonce = sealed[1 : 1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[1 + NONCE_BYTES :], context.encode())
        except InvalidTag:
            raise Unreadable(f"{context}: cannot be decrypted with this computer's key") from None
