"""Sample-rate conversion for streams: microphones give 44.1 or 48 kHz, telephones 8 kHz, and
the recogniser wants its model's rate (16 kHz).

A Kaiser-windowed sinc interpolator. Output sample k sits at input time k * rate_in / rate_out;
its value is the input convolved with a low-pass kernel whose cut-off is just under the lower
of the two Nyquist frequencies, so downsampling does not alias. The stream keeps the input
tail the next output still needs, so feeding a signal in pieces gives the same samples as
feeding it whole.
"""

from __future__ import annotations

import math

import numpy as np

# Kernel half-width in zero crossings, window shape and how far below Nyquist the cut-off sits:
# together about 70 dB of stop-band, plenty for speech features.
ZERO_CROSSINGS = 16
KAISER_BETA = 8.0
ROLLOFF = 0.92
_BATCH = 4096  # outputs computed at once; bounds the temporary matrix
_MAX_PHASES = 20_000  # above this many distinct fractional positions, compute kernels on the fly


class Resampler:
    """Converts a stream from `rate_in` to `rate_out`; feed with `process`, end with `flush`."""

    def __init__(self, rate_in: int, rate_out: int) -> None:
        if rate_in <= 0 or rate_out <= 0:
            raise ValueError(f"sample rates must be positive (got {rate_in} -> {rate_out})")
        gcd = math.gcd(rate_in, rate_out)
        self.rate_in = rate_in
        self.rate_out = rate_out
        self._step_num = rate_in // gcd   # input samples per output sample, as a fraction
        self._step_den = rate_out // gcd
        self._cutoff = min(1.0, rate_out / rate_in) * ROLLOFF
        self._half = ZERO_CROSSINGS / self._cutoff   # kernel half-width in input samples
        self._reach = math.ceil(self._half)
        self._buffer_start = -self._reach  # absolute index of _buffer[0]; starts on silence
        self._buffer = np.zeros(self._reach, dtype=np.float64)
        self._next_out = 0
        self._consumed = 0  # input samples received so far
        self._offsets = np.arange(-self._reach + 1, self._reach + 1)
        # The fractional positions repeat every `_step_den` outputs: one kernel row per phase.
        self._table: np.ndarray | None = None
        if not self.passthrough and self._step_den <= _MAX_PHASES:
            phases = np.arange(self._step_den) / self._step_den
            self._table = self._kernel(phases[:, None] - self._offsets[None, :])

    @property
    def passthrough(self) -> bool:
        return self.rate_in == self.rate_out

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Output samples (float64, same scale as input) that this input makes computable."""
        samples = np.asarray(samples, dtype=np.float64)
        if self.passthrough:
            return samples.copy()
        self._buffer = np.concatenate([self._buffer, samples])
        self._consumed += len(samples)
        return self._emit(self._consumed)

    def flush(self) -> np.ndarray:
        """The remaining output, as if the input continued with silence; the stream ends."""
        if self.passthrough:
            return np.zeros(0)
        self._buffer = np.concatenate([self._buffer, np.zeros(self._reach + 1)])
        total = self._consumed * self._step_den // self._step_num
        return self._emit(self._consumed + self._reach + 1, limit=total)

    def _position(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Integer and fractional input position of output samples `k`."""
        scaled = k * self._step_num
        return scaled // self._step_den, (scaled % self._step_den) / self._step_den

    def _emit(self, available_end: int, limit: int | None = None) -> np.ndarray:
        # The last output we can compute needs input up to floor(t) + reach.
        last = (available_end - self._reach - 1) * self._step_den // self._step_num
        if limit is not None:
            last = min(last, limit - 1)
        if last < self._next_out:
            return np.zeros(0)

        pieces = []
        for first in range(self._next_out, last + 1, _BATCH):
            k = np.arange(first, min(first + _BATCH, last + 1), dtype=np.int64)
            base, frac = self._position(k)
            if self._table is not None:
                weights = self._table[(k * self._step_num) % self._step_den]
            else:
                weights = self._kernel(frac[:, None] - self._offsets[None, :])
            index = base[:, None] + self._offsets[None, :] - self._buffer_start
            pieces.append(np.einsum("ij,ij->i", self._buffer[index], weights))
        self._next_out = last + 1
        self._drop_used()
        return np.concatenate(pieces)

    def _kernel(self, distance: np.ndarray) -> np.ndarray:
        ratio = np.clip(distance / self._half, -1.0, 1.0)
        window = np.i0(KAISER_BETA * np.sqrt(1.0 - ratio * ratio)) / np.i0(KAISER_BETA)
        window[np.abs(distance) >= self._half] = 0.0
        return self._cutoff * np.sinc(self._cutoff * distance) * window

    def _drop_used(self) -> None:
        """Forget input that no future output reaches."""
        base, _ = self._position(np.array([self._next_out], dtype=np.int64))
        keep_from = int(base[0]) - self._reach
        drop = keep_from - self._buffer_start
        if drop > 0:
            self._buffer = self._buffer[drop:]
            self._buffer_start = keep_from


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """A whole signal converted at once (float64)."""
    stream = Resampler(rate_in, rate_out)
    return np.concatenate([stream.process(samples), stream.flush()])
