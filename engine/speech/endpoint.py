"""Where an utterance ends: an energy detector tuned for dictation pauses.

Vosk's own endpointing comes from the model's `conf/model.conf` (IT's files, not ours) and waits
up to a second, or two when it is unsure, before it closes an utterance. Doctors dictate in
phrases with short breaths between words and longer pauses between thoughts, so this detector
closes an utterance after `pause_s` of quiet that followed real speech. Vosk's endpoints still
apply; whichever comes first produces the final text.

The quiet level follows the room. The noise floor drops at once to any quieter frame and
otherwise rises slowly (`noise_rise_db_s`), so it settles on the quiet between syllables and
words, never on the voice; a frame counts as speech when it is `margin_db` above that floor
(and above `floor_dbfs`). A steady fan or monitor hum is learnt in a few seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_SILENCE_DB = -120.0  # the level reported for digital silence

@dataclass(frozen=True)
class EndpointConfig:
    """Tuning of the pause detector; times in seconds, levels in dB relative to full scale."""

    pause_s: float = 0.45        # trailing quiet that ends an utterance: a pause, not a breath
    min_speech_s: float = 0.12   # speech needed before a pause counts (ignores clicks, coughs)
    frame_s: float = 0.02
    floor_dbfs: float = -50.0    # below this is always quiet, whatever the room
    margin_db: float = 12.0      # speech is this far above the tracked noise floor
    noise_rise_db_s: float = 10.0  # how fast the noise floor may rise towards louder frames

    def __post_init__(self) -> None:
        if not 0.1 <= self.pause_s <= 5.0:
            raise ValueError(f"pause_s must be between 0.1 and 5 s (got {self.pause_s})")
        if not 0.005 <= self.frame_s <= 0.1:
            raise ValueError(f"frame_s must be between 5 and 100 ms (got {self.frame_s})")


@dataclass(frozen=True)
class Boundary:
    """An utterance ended: `at` is the sample (from the stream start) where the pause was long
    enough; `speech_end` is where the speech itself stopped."""

    at: int
    speech_end: int


class Endpointer:
    """Feed int16 samples at `rate`; get a Boundary each time a pause closes an utterance."""

    def __init__(self, rate: int, config: EndpointConfig | None = None) -> None:
        self.config = config or EndpointConfig()
        self.rate = rate
        self._frame = max(1, round(self.config.frame_s * rate))
        self._pending = np.zeros(0, dtype=np.int16)
        self._position = 0           # samples consumed into whole frames
        self._noise_db = self.config.floor_dbfs - self.config.margin_db
        self._speech_samples = 0
        self._last_speech_end = 0
        self._quiet_samples = 0
        self.in_speech = False

    @property
    def threshold_db(self) -> float:
        return max(self.config.floor_dbfs, self._noise_db + self.config.margin_db)

    def feed(self, samples: np.ndarray) -> list[Boundary]:
        self._pending = np.concatenate([self._pending, samples.astype(np.int16, copy=False)])
        whole = len(self._pending) // self._frame * self._frame
        frames = self._pending[:whole].reshape(-1, self._frame)
        self._pending = self._pending[whole:]

        boundaries = []
        for level in _levels_db(frames):
            self._position += self._frame
            boundary = self._step(level)
            if boundary is not None:
                boundaries.append(boundary)
        return boundaries

    def reset(self) -> None:
        """Forget the current utterance (Vosk closed it on its own)."""
        self._speech_samples = 0
        self._quiet_samples = 0
        self.in_speech = False

    def _step(self, level: float) -> Boundary | None:
        config = self.config
        self._track_noise(level)
        if level >= self.threshold_db:
            self._speech_samples += self._frame
            self._quiet_samples = 0
            self._last_speech_end = self._position
            if self._speech_samples >= config.min_speech_s * self.rate:
                self.in_speech = True
            return None

        # Quiet: count the pause if speech came before.
        self._quiet_samples += self._frame
        if not self.in_speech:
            if self._quiet_samples >= config.pause_s * self.rate:
                self._speech_samples = 0  # a lone click long ago is not the start of speech
            return None
        if self._quiet_samples >= config.pause_s * self.rate:
            boundary = Boundary(self._position, self._last_speech_end)
            self.reset()
            return boundary
        return None


    def _track_noise(self, level: float) -> None:
        if level < self._noise_db:
            self._noise_db = max(level, _SILENCE_DB)
        else:
            rise = self.config.noise_rise_db_s * self._frame / self.rate
            self._noise_db = min(level, self._noise_db + rise)


def _levels_db(frames: np.ndarray) -> list[float]:
    """RMS level of each frame in dB relative to int16 full scale."""
    if len(frames) == 0:
        return []
    power = np.mean(frames.astype(np.float64) ** 2, axis=1) / (32768.0**2)
    return [10.0 * math.log10(p) if p > 1e-12 else _SILENCE_DB for p in power]


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level of a block of int16 samples in dBFS (-120 for silence); for level meters."""
    levels = _levels_db(samples.reshape(1, -1)) if len(samples) else [_SILENCE_DB]
    return levels[0]
