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
    weights = [0] * 64
    for gram, count in grams.items():
        value = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(),
                               "big")
        for bit in range(64):
            weights[bit] += count if value >> bit & 1 else -count
    unsigned = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def distance(a: int, b: int) -> int:
    return ((a ^ b) & _MASK64).bit_count()


def duplicates(texts: Sequence[str]) -> dict[int, int]:
    """For each text that repeats an earlier one (exactly or nearly), the earlier's index."""
    hashes = [text_hash(text) for text in texts]
    sims = [simhash(text) for text in texts]
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
