"""API keys for the box: from the OS keyring, never from a plain file.

Where a machine has no keyring (headless Linux, CI), the key comes from the environment variable
SENTINEL_API_KEY, with a warning, since environment variables are readable by the user's
other processes.
"""

from __future__ import annotations

import contextlib
import logging
import os
from urllib.parse import urlsplit

import keyring
import keyring.errors

log = logging.getLogger(__name__)

SERVICE = "ed-sentinel"
ENV_KEY = "SENTINEL_API_KEY"


def key_name(url: str) -> str:
    """The keyring user name of a box: its host and port."""
    parts = urlsplit(url)
    return f"box:{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def api_key_for(url: str) -> str | None:
    """The box's key from the keyring, else from SENTINEL_API_KEY, else None."""
    try:
        stored = keyring.get_password(SERVICE, key_name(url))
    except keyring.errors.KeyringError as exc:
        log.debug("keyring unavailable: %s", type(exc).__name__)
        stored = None
    if stored:
        return stored

    from_env = os.environ.get(ENV_KEY)
    if from_env:
        log.warning("API key taken from %s: no key stored in the OS keyring for %s",
                    ENV_KEY, key_name(url))
        return from_env
    return None


def store_api_key(url: str, key: str) -> None:
    """Keep the key in the OS keyring (Credential Manager on Windows)."""
    keyring.set_password(SERVICE, key_name(url), key)


def forget_api_key(url: str) -> None:
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(SERVICE, key_name(url))
