"""Streaming recognition: audio in, partial text while the doctor speaks, final text at pauses.

The recogniser takes mono 16-bit audio at any rate, converts it to the model's rate, and feeds
Vosk in small pieces. A partial is reported when the words heard so far change; a final when
the pause detector (engine.speech.endpoint) or Vosk's own endpointing closes the utterance, and
when the stream ends. It is not thread-safe: one recogniser per dictation, on one worker thread.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.speech.audio import Audio, float_to_int16, int16_from_bytes
from engine.speech.endpoint import EndpointConfig, Endpointer
from engine.speech.errors import RecognizerError
from engine.speech.model import SpeechModel
from engine.speech.resample import Resampler

log = logging.getLogger(__name__)

PIECE_S = 0.1          # audio handed to Vosk at once: small enough for timely partials
PARTIAL_EVERY_S = 0.2  # Vosk rebuilds the best path for a partial; not on every piece


@dataclass(frozen=True)
class Word:
    text: str
    start_s: float
    end_s: float
    confidence: float


@dataclass(frozen=True)
class Partial:
    """The words heard so far in the open utterance; `audio_s` is the stream time it covers."""

    text: str
    audio_s: float


@dataclass(frozen=True)
class Final:
    """A closed utterance as Vosk wrote it (spaced words; clean-up comes later).

    `audio_s` is the stream time when it was closed, `speech_end_s` where the speech itself
    stopped, `reason` what closed it: "pause" (our detector), "vosk" (its endpointing), "end".
    """

    text: str
    words: tuple[Word, ...]
    audio_s: float
    speech_end_s: float
    reason: str


Event = Partial | Final


class StreamingRecognizer:
    """One dictation's recogniser. Feed with `accept`, close with `finish`."""

    def __init__(self, model: SpeechModel, input_rate: int = 16000, *,
                 grammar: str | None = None, endpoint: EndpointConfig | None = None,
                 partial_every_s: float = PARTIAL_EVERY_S) -> None:
        import vosk

        if not 1000 <= input_rate <= 384_000:
            raise ValueError(f"input rate must be between 1 and 384 kHz (got {input_rate})")
        self.model = model
        self.rate = model.sample_rate
        self.input_rate = input_rate
        self._resampler = None if input_rate == self.rate else Resampler(input_rate, self.rate)
        self._endpointer = Endpointer(self.rate, endpoint)
        if grammar is not None and model.supports_word_list:
            self._vosk = vosk.KaldiRecognizer(model.vosk_model, self.rate, grammar)
        else:
            self._vosk = vosk.KaldiRecognizer(model.vosk_model, self.rate)
        self._vosk.SetWords(True)
        self._partial_every = round(partial_every_s * self.rate)
        self._since_partial = 0
        self._last_partial = ""
        self._fed = 0          # samples handed to Vosk, at the model's rate
        self._finished = False
        self.busy_s = 0.0      # processing time spent, for the real-time factor

    @property
    def audio_s(self) -> float:
        """Seconds of audio recognised so far."""
        return self._fed / self.rate

    def accept(self, audio: bytes | np.ndarray) -> list[Event]:
        """Events the new audio produced. Bytes are 16-bit little-endian mono PCM."""
        if self._finished:
            raise RecognizerError("this recogniser has finished; start a new one")
        started = time.perf_counter()
        samples = int16_from_bytes(audio) if isinstance(audio, bytes) else np.asarray(audio)
        events = self._take(self._to_model_rate(samples))
        self.busy_s += time.perf_counter() - started
        return events

    def finish(self) -> list[Event]:
        """Recognise what is still buffered and close the utterance; nothing may follow."""
        if self._finished:
            return []
        started = time.perf_counter()
        events: list[Event] = []
        if self._resampler is not None:
            events += self._take(float_to_int16(self._resampler.flush() / 32768.0))
        self._finished = True
        final = self._final(self._vosk.FinalResult(), "end", None)
        if final is not None:
            events.append(final)
        self.busy_s += time.perf_counter() - started
        return events

    def _to_model_rate(self, samples: np.ndarray) -> np.ndarray:
        if samples.dtype != np.int16:
            raise TypeError(f"audio must be int16 samples (got {samples.dtype})")
        if self._resampler is None:
            return samples
        return float_to_int16(self._resampler.process(samples) / 32768.0)

    def _take(self, samples: np.ndarray) -> list[Event]:
        """Feed Vosk in pieces, closing utterances where the pause detector says."""
        events: list[Event] = []
        start_at = self._fed
        cuts = self._endpointer.feed(samples)
        position = 0
        for boundary in cuts:
            cut = boundary.at - start_at
            events += self._feed_vosk(samples[position:cut])
            position = cut
            final = self._final(self._vosk.FinalResult(), "pause", boundary.speech_end)
            if final is not None:
                events.append(final)
            self._last_partial = ""
        events += self._feed_vosk(samples[position:])
        return events

    def _feed_vosk(self, samples: np.ndarray) -> list[Event]:
        events: list[Event] = []
        piece = max(1, round(PIECE_S * self.rate))
        for first in range(0, len(samples), piece):
            chunk = samples[first:first + piece]
            try:
                closed = self._vosk.AcceptWaveform(chunk.astype("<i2").tobytes())
            except Exception as exc:  # noqa: BLE001 - vosk raises a bare Exception
                raise RecognizerError(f"Vosk failed on the audio: {exc}") from None
            self._fed += len(chunk)
            self._since_partial += len(chunk)
            if closed:
                final = self._final(self._vosk.Result(), "vosk", None)
                self._endpointer.reset()
                self._last_partial = ""
                if final is not None:
                    events.append(final)
            elif self._since_partial >= self._partial_every:
                events += self._partial()
        return events

    def _partial(self) -> list[Event]:
        self._since_partial = 0
        text = _json(self._vosk.PartialResult()).get("partial", "").strip()
        if not text or text == self._last_partial:
            return []
        self._last_partial = text
        return [Partial(text, self.audio_s)]

    def _final(self, result: str, reason: str, speech_end: int | None) -> Final | None:
        data = _json(result)
        text = str(data.get("text", "")).strip()
        if not text:
            return None
        words = tuple(Word(str(w["word"]), float(w["start"]), float(w["end"]),
                           float(w.get("conf", 1.0))) for w in data.get("result", []))
        if speech_end is not None:
            end_s = speech_end / self.rate
        else:
            end_s = words[-1].end_s if words else self.audio_s
        log.debug("final after %.2f s of audio (%s), %d words", self.audio_s, reason,
                  len(words))
        return Final(text, words, self.audio_s, end_s, reason)


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise RecognizerError(f"Vosk answered something that is not JSON: {text[:80]!r}") from None
    return data if isinstance(data, dict) else {}


def recognize(model: SpeechModel, audio: Audio, *, grammar: str | None = None,
              endpoint: EndpointConfig | None = None,
              chunk_s: float = 0.1) -> tuple[list[Event], StreamingRecognizer]:
    """Stream a whole recording through a recogniser in `chunk_s` pieces, as a microphone
    would; the events and the recogniser (for its timing)."""
    recognizer = StreamingRecognizer(model, audio.rate, grammar=grammar, endpoint=endpoint)
    step = max(1, round(chunk_s * audio.rate))
    events: list[Event] = []
    for first in range(0, len(audio.samples), step):
        events += recognizer.accept(audio.samples[first:first + step])
    events += recognizer.finish()
    return events, recognizer
