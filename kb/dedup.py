"""Exact and near-duplicate detection for chunks.

Exact duplicates share the hash of their text with spaces and punctuation removed. Near
duplicates (a changed date, a typo fixed) have 64-bit simhashes over character trigrams
within `NEAR_BITS` bits of each other (measured on chunk-sized Chinese text: a changed word
moves 2-4 bits, a chunk sharing half its sentences about 10, unrelated text about 26). Eight
8-bit bands find candidates without comparing every pair: two hashes within 7 bits agree on at
least one band.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

NEAR_BITS = 6
_BANDS = 8
_NOT_CONTENT = re.compile(r"[\W_]+")
_MASK64 = (1 << 64) - 1


def normalised(text: str) -> str:
    return _NOT_CONTENT.sub("", text).lower()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalised(text).encode("utf-8")).hexdigest()[:32]


def simhash(text: str) -> int:
    """A 64-bit simhash of the text's character trigrams, as a signed int for SQLite."""
    content = normalised(text)
    grams = Counter(content[i:i + 3] for i in range(max(1, len(content) - 2)))
    values = np.array([int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8)
                                      .digest(), "big") for gram in grams], dtype=np.uint64)
    counts = np.fromiter(grams.values(), dtype=np.int64, count=len(grams))
    bits = ((values[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)).astype(np.int64)
    weights = counts @ (2 * bits - 1)
    unsigned = sum(1 << int(bit) for bit in np.flatnonzero(weights > 0))
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def distance(a: int, b: int) -> int:
    return ((a ^ b) & _MASK64).bit_count()


def fingerprints(texts: Sequence[str]) -> list[tuple[str, int]]:
    """(exact hash, simhash) of each text."""
    return [(text_hash(text), simhash(text)) for text in texts]


def duplicates(texts: Sequence[str],
               prints: Sequence[tuple[str, int]] | None = None) -> dict[int, int]:
    """For each text that repeats an earlier one (exactly or nearly), the earlier's index."""
    prints = fingerprints(texts) if prints is None else prints
    hashes = [exact for exact, _ in prints]
    sims = [sim for _, sim in prints]
    first_by_hash: dict[str, int] = {}
    bands: dict[tuple[int, int], list[int]] = defaultdict(list)
    found: dict[int, int] = {}
    for index, (exact, sim) in enumerate(zip(hashes, sims, strict=True)):
        if exact in first_by_hash:
            found[index] = first_by_hash[exact]
            continue
        first_by_hash[exact] = index
        keys = [(band, (sim >> (8 * band)) & 0xFF) for band in range(_BANDS)]
        match = next((other for key in keys for other in bands[key]
                      if distance(sim, sims[other]) <= NEAR_BITS), None)
        if match is not None:
            found[index] = match
            continue
        for key in keys:
            bands[key].append(index)
    return found
