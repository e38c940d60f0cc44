"""Shared helpers of the storage tests: patient-like text, an injected clock, raw bytes."""

from __future__ import annotations

from pathlib import Path

# Words no test string of ours shares by chance; several encodings are searched for them.
PATIENT_TEXT = "持续左胸痛3小时压榨样伴冷汗气促，既往高血压10年，患者张秀英"
PATIENT_WORDS = ("左胸痛", "冷汗气促", "张秀英", "高血压10年")


class Clock:
    """Seconds since the epoch that only move when a test says so."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, hours: float) -> None:
        self.now += hours * 3600


def raw_bytes(folder: Path) -> bytes:
    """Every byte of every file under a folder, as a thief copying it would get them."""
    return b"".join(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file())


def encodings_of(text: str) -> list[bytes]:
    return [text.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be", "gb18030")]


def assert_no_patient_text(data: bytes, extra: tuple[str, ...] = ()) -> None:
    for word in (*PATIENT_WORDS, *extra):
        for encoded in encodings_of(word):
            assert encoded not in data, f"{word!r} found in the raw bytes"
