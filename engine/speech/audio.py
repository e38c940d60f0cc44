"""Reading WAV files and turning any PCM into the mono 16-bit samples the recogniser takes.

The reader parses RIFF itself rather than using `wave`: it accepts what recorders write
(16/24/32-bit integer, 8-bit unsigned, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE, any channel
count) and says precisely what is wrong with a file it cannot read (truncated, compressed,
not a WAV at all).
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.speech.errors import AudioError

log = logging.getLogger(__name__)

PCM = 1
IEEE_FLOAT = 3
EXTENSIBLE = 0xFFFE
# Recorders that crash or stream write these sizes when they never learnt the real one.
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)
_NAMES = {2: "Microsoft ADPCM", 6: "A-law", 7: "mu-law", 0x11: "IMA ADPCM", 0x55: "MP3"}
FIX_HINT = "convert it with `sox IN.wav -b 16 -e signed-integer OUT.wav`"


@dataclass(frozen=True)
class Audio:
    """Mono samples as int16 and their rate in Hz."""

    samples: np.ndarray
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


@dataclass(frozen=True)
class _Format:
    encoding: int
    channels: int
    rate: int
    bits: int


def read_wav(path: Path) -> Audio:
    """The file's audio mixed down to mono int16, at its own rate."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AudioError(f"audio file {path} does not exist") from None
    except IsADirectoryError:
        raise AudioError(f"{path} is a folder; give a .wav file") from None
    except OSError as exc:
        raise AudioError(f"cannot read audio file {path}: {exc.strerror}") from None
    return parse_wav(raw, str(path))


def parse_wav(raw: bytes, name: str = "audio") -> Audio:
    """Decode WAV bytes; `name` appears in error messages."""
    if len(raw) < 12:
        raise AudioError(f"{name} is not a WAV file: it has only {len(raw)} bytes")
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise AudioError(f"{name} is not a WAV file (it starts with {raw[:4]!r}, not b'RIFF'"
                         f"...b'WAVE'); {FIX_HINT}")

    fmt: _Format | None = None
    data: bytes | None = None
    offset = 12
    while offset + 8 <= len(raw):
        chunk_id = raw[offset:offset + 4]
        (size,) = struct.unpack("<I", raw[offset + 4:offset + 8])
        body_start = offset + 8
        if chunk_id == b"data":
            data = _data_chunk(raw, body_start, size, name)
            break
        if body_start + size > len(raw):
            raise AudioError(f"{name} is truncated inside its {chunk_id!r} chunk")
        if chunk_id == b"fmt ":
            fmt = _format_chunk(raw[body_start:body_start + size], name)
        offset = body_start + size + (size & 1)  # chunks are padded to even sizes

    if fmt is None:
        raise AudioError(f"{name} is a broken WAV file: it has no 'fmt ' chunk; {FIX_HINT}")
    if data is None:
        raise AudioError(f"{name} is a broken WAV file: it has no 'data' chunk (no audio)")
    samples = _decode(data, fmt, name)
    return Audio(samples, fmt.rate)


def _data_chunk(raw: bytes, start: int, size: int, name: str) -> bytes:
    available = len(raw) - start
    if size in _UNKNOWN_SIZES and available > 0:
        log.debug("%s: data size %#x means unknown; reading to the end", name, size)
        return raw[start:]
    if size > available:
        raise AudioError(f"{name} is truncated: its header promises {size} bytes of audio but "
                         f"only {available} are there (the copy or recording was cut short)")
    return raw[start:start + size]


def _format_chunk(body: bytes, name: str) -> _Format:
    if len(body) < 16:
        raise AudioError(f"{name} is a broken WAV file: its 'fmt ' chunk has {len(body)} bytes")
    encoding, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
    if encoding == EXTENSIBLE and len(body) >= 26:
        (encoding,) = struct.unpack("<H", body[24:26])  # first two bytes of the sub-format GUID
    if encoding not in (PCM, IEEE_FLOAT):
        label = _NAMES.get(encoding, f"format code {encoding:#x}")
        raise AudioError(f"{name} uses {label}, a compressed encoding the recogniser cannot "
                         f"read; {FIX_HINT}")
    if channels == 0:
        raise AudioError(f"{name} is a broken WAV file: it declares 0 channels")
    if not 1000 <= rate <= 384_000:
        raise AudioError(f"{name} declares a sample rate of {rate} Hz, which is not audio")
    valid = {PCM: (8, 16, 24, 32), IEEE_FLOAT: (32, 64)}[encoding]
    if bits not in valid:
        kind = "integer" if encoding == PCM else "float"
        raise AudioError(f"{name} has {bits}-bit {kind} samples, which are not supported; "
                         f"{FIX_HINT}")
    return _Format(encoding, channels, rate, bits)


def _decode(data: bytes, fmt: _Format, name: str) -> np.ndarray:
    width = fmt.bits // 8
    frame = width * fmt.channels
    usable = len(data) - len(data) % frame
    if usable == 0:
        raise AudioError(f"{name} holds no audio (its data chunk is empty)")
    data = data[:usable]

    if fmt.encoding == IEEE_FLOAT:
        floats = np.frombuffer(data, dtype="<f4" if width == 4 else "<f8").astype(np.float64)
    elif width == 1:
        floats = (np.frombuffer(data, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 3:
        bytes3 = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = bytes3[:, 0] | (bytes3[:, 1] << 8) | (bytes3[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        floats = ints / float(1 << 23)
    else:
        dtype = {2: "<i2", 4: "<i4"}[width]
        floats = np.frombuffer(data, dtype=dtype).astype(np.float64) / float(1 << (fmt.bits - 1))
    if not np.all(np.isfinite(floats)):
        raise AudioError(f"{name} holds float samples that are not numbers (NaN or infinite)")

    mono = floats.reshape(-1, fmt.channels).mean(axis=1)
    return float_to_int16(mono)


def float_to_int16(samples: np.ndarray) -> np.ndarray:
    """Samples in [-1, 1] as int16, clipped rather than wrapped."""
    scaled = np.clip(np.rint(samples * 32768.0), -32768, 32767)
    return scaled.astype(np.int16)


def int16_from_bytes(pcm: bytes) -> np.ndarray:
    """Little-endian 16-bit PCM bytes as samples; a trailing odd byte is an error."""
    if len(pcm) % 2:
        raise AudioError(f"16-bit audio must have an even number of bytes (got {len(pcm)})")
    return np.frombuffer(pcm, dtype="<i2").astype(np.int16)


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """A minimal 16-bit mono WAV file holding `samples` (for tests, benches and exports)."""
    body = np.asarray(samples, dtype="<i2").tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(body), b"WAVE", b"fmt ", 16,
                         PCM, 1, rate, rate * 2, 2, 16, b"data", len(body))
    return header + body
