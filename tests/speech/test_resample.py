"""The streaming resampler: accurate, no aliasing, and the same in pieces as in one go."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.speech.resample import Resampler, resample


def _tone(freq: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    return 0.5 * np.sin(2 * np.pi * freq * np.arange(round(rate * seconds)) / rate)


@pytest.mark.parametrize("rate_in", [8000, 11025, 22050, 32000, 44100, 48000, 96000])
def test_a_tone_keeps_its_pitch_and_level(rate_in: int) -> None:
    out = resample(_tone(1000, rate_in), rate_in, 16000)

    expected = _tone(1000, 16000, len(out) / 16000)
    inner = slice(100, len(out) - 100)  # the edges start from silence
    assert len(out) == 16000
    assert np.max(np.abs(out[inner] - expected[inner])) < 1e-3


@pytest.mark.parametrize("rate_in", [44100, 48000, 96000])
def test_tones_above_the_new_nyquist_are_removed(rate_in: int) -> None:
    out = resample(_tone(11000, rate_in), rate_in, 16000)  # 11 kHz cannot exist at 16 kHz

    rms = float(np.sqrt(np.mean(out[100:-100] ** 2)))
    assert rms < 0.5 / np.sqrt(2) / 1000  # at least 60 dB down instead of folding to 5 kHz


def test_the_same_rate_passes_samples_through() -> None:
    samples = _tone(440, 16000, 0.1)
    stream = Resampler(16000, 16000)

    assert np.array_equal(stream.process(samples), samples)
    assert len(stream.flush()) == 0


@settings(max_examples=25, deadline=None)
@given(rate_in=st.sampled_from([8000, 22050, 44100, 48000, 44101]),
       cuts=st.lists(st.integers(min_value=1, max_value=2500), min_size=1, max_size=30))
def test_pieces_give_the_same_samples_as_the_whole(rate_in: int, cuts: list[int]) -> None:
    signal = np.random.default_rng(3).standard_normal(sum(cuts)) * 0.1
    whole = resample(signal, rate_in, 16000)

    stream = Resampler(rate_in, 16000)
    pieces, start = [], 0
    for size in cuts:
        pieces.append(stream.process(signal[start:start + size]))
        start += size
    pieces.append(stream.flush())

    assert np.allclose(np.concatenate(pieces), whole, rtol=0, atol=1e-12)
    assert len(whole) == len(signal) * 16000 // rate_in


@pytest.mark.parametrize(("rate_in", "rate_out"), [(0, 16000), (16000, -1)])
def test_rates_must_be_positive(rate_in: int, rate_out: int) -> None:
    with pytest.raises(ValueError, match="sample rates must be positive"):
        Resampler(rate_in, rate_out)
