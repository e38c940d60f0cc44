"""Reading WAV files: every PCM layout recorders write, and clear errors for broken files."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from engine.errors import BadInput
from engine.speech.audio import float_to_int16, int16_from_bytes, parse_wav, read_wav, wav_bytes
from engine.speech.errors import AudioError


def _wav(body: bytes, *, encoding: int = 1, channels: int = 1, rate: int = 16000,
         bits: int = 16, data_size: int | None = None, extensible: bool = False,
         extra_chunks: bytes = b"") -> bytes:
    block = channels * bits // 8
    if extensible:
        # WAVE_FORMAT_EXTENSIBLE: cbSize 22, valid bits, channel mask, sub-format GUID.
        guid = (struct.pack("<H", encoding)
                + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71")
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22,
                          bits, 0) + guid
    else:
        fmt = struct.pack("<HHIIHH", encoding, channels, rate, rate * block, block, bits)
    size = len(body) if data_size is None else data_size
    chunks = (b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra_chunks
              + b"data" + struct.pack("<I", size) + body)
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


RAMP = np.array([0, 1000, -1000, 32767, -32768, 12345], dtype=np.int16)


def test_16_bit_mono_round_trips() -> None:
    audio = parse_wav(wav_bytes(RAMP, 16000))

    assert audio.rate == 16000
    assert audio.samples.dtype == np.int16
    assert audio.samples.tolist() == RAMP.tolist()


def test_stereo_is_mixed_down_to_mono() -> None:
    left = np.array([1000, 2000, -4000], dtype="<i2")
    right = np.array([3000, 0, -4000], dtype="<i2")
    body = np.column_stack([left, right]).astype("<i2").tobytes()

    audio = parse_wav(_wav(body, channels=2, rate=44100))

    assert audio.rate == 44100
    assert audio.samples.tolist() == [2000, 1000, -4000]


@pytest.mark.parametrize(("bits", "encode"), [
    (8, lambda x: (np.round(x * 128) + 128).clip(0, 255).astype(np.uint8).tobytes()),
    (24, lambda x: b"".join(int(v).to_bytes(3, "little", signed=True)
                            for v in np.round(x * (1 << 23)).clip(-(1 << 23), (1 << 23) - 1))),
    (32, lambda x: np.round(x * (1 << 31)).clip(-(1 << 31), (1 << 31) - 1)
        .astype("<i4").tobytes()),
])
def test_integer_widths(bits: int, encode: object) -> None:
    values = np.array([0.0, 0.5, -0.5, 0.25])
    body = encode(values)  # type: ignore[operator]

    audio = parse_wav(_wav(body, bits=bits))

    assert np.allclose(audio.samples, values * 32768, atol=300 if bits == 8 else 1)


@pytest.mark.parametrize("extensible", [False, True])
def test_float_samples_and_the_extensible_header(extensible: bool) -> None:
    values = np.array([0.0, 0.5, -0.25, 1.5], dtype="<f4")  # 1.5 clips, never wraps

    audio = parse_wav(_wav(values.tobytes(), encoding=3, bits=32, extensible=extensible))

    assert audio.samples.tolist() == [0, 16384, -8192, 32767]


def test_unknown_chunks_before_the_data_are_skipped() -> None:
    odd_chunk = b"LIST" + struct.pack("<I", 3) + b"abc" + b"\x00"  # padded to even length

    audio = parse_wav(_wav(RAMP.tobytes(), extra_chunks=odd_chunk))

    assert audio.samples.tolist() == RAMP.tolist()


def test_a_streaming_writer_s_unknown_size_reads_to_the_end() -> None:
    audio = parse_wav(_wav(RAMP.tobytes(), data_size=0xFFFFFFFF))

    assert audio.samples.tolist() == RAMP.tolist()


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "is not a WAV file: it has only 0 bytes"),
    (b"ID3\x04" + b"\x00" * 40, "is not a WAV file (it starts with b'ID3\\x04'"),
    ("胸痛".encode() * 10, "is not a WAV file"),
    (b"RIFF\x00\x00\x00\x00WAVE", "has no 'fmt ' chunk"),
    (_wav(RAMP.tobytes())[:-4], "is truncated: its header promises 12 bytes of audio but only 8"),
    (_wav(RAMP.tobytes())[:30], "is truncated inside its b'fmt ' chunk"),
    (_wav(b"", data_size=0), "holds no audio"),
    (_wav(RAMP.tobytes(), encoding=7, bits=8), "uses mu-law, a compressed encoding"),
    (_wav(RAMP.tobytes(), encoding=0x55), "uses MP3"),
    (_wav(RAMP.tobytes(), channels=0), "declares 0 channels"),
    (_wav(RAMP.tobytes(), rate=7), "declares a sample rate of 7 Hz"),
    (_wav(RAMP.tobytes(), bits=12), "12-bit integer samples, which are not supported"),
    (_wav(np.array([np.nan], dtype="<f4").tobytes(), encoding=3, bits=32), "NaN"),
])
def test_broken_files_get_a_clear_error(raw: bytes, message: str) -> None:
    with pytest.raises(AudioError) as caught:
        parse_wav(raw, "take.wav")

    assert str(caught.value).startswith("take.wav")
    assert message in str(caught.value)
    assert isinstance(caught.value, BadInput)  # the command line answers exit code 2


def test_a_fmt_chunk_without_data_is_an_error() -> None:
    raw = _wav(RAMP.tobytes())
    without_data = raw[: raw.index(b"data")]

    with pytest.raises(AudioError, match="has no 'data' chunk"):
        parse_wav(without_data, "x.wav")


def test_read_wav_names_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="does not exist"):
        read_wav(tmp_path / "nothing.wav")
    with pytest.raises(AudioError, match="is a folder"):
        read_wav(tmp_path)


def test_byte_and_sample_helpers() -> None:
    assert int16_from_bytes(b"\x01\x00\xff\xff").tolist() == [1, -1]
    with pytest.raises(AudioError, match="even number of bytes"):
        int16_from_bytes(b"\x01\x00\x02")
    assert float_to_int16(np.array([-2.0, 2.0, 0.0])).tolist() == [-32768, 32767, 0]
