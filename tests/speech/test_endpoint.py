"""The pause detector, on synthetic audio whose speech and pauses are known to the sample."""

from __future__ import annotations

import numpy as np
import pytest

from engine.speech.endpoint import EndpointConfig, Endpointer, level_dbfs

RATE = 16000


def _speech(seconds: float, level: float = 0.3) -> np.ndarray:
    """Voice-like noise: what matters to the detector is its level, not its words."""
    rng = np.random.default_rng(round(seconds * 1000))
    return (rng.standard_normal(round(seconds * RATE)) * level * 32767).clip(-32768, 32767)


def _quiet(seconds: float, level: float = 0.0) -> np.ndarray:
    return _speech(seconds, level) if level else np.zeros(round(seconds * RATE))


def _feed(parts: list[np.ndarray], config: EndpointConfig | None = None,
          chunk: int = 320) -> list[tuple[float, float]]:
    signal = np.concatenate(parts).astype(np.int16)
    detector = Endpointer(RATE, config)
    found = []
    for start in range(0, len(signal), chunk):
        for boundary in detector.feed(signal[start:start + chunk]):
            found.append((boundary.speech_end / RATE, boundary.at / RATE))
    return found


def test_a_pause_closes_the_utterance_after_pause_s() -> None:
    found = _feed([_quiet(0.5), _speech(1.0), _quiet(1.0)])

    assert len(found) == 1
    speech_end, closed = found[0]
    assert speech_end == pytest.approx(1.5, abs=0.021)
    assert closed - speech_end == pytest.approx(EndpointConfig().pause_s, abs=0.021)


def test_a_breath_inside_a_phrase_does_not_split_it() -> None:
    found = _feed([_speech(0.8), _quiet(0.25), _speech(0.8), _quiet(1.0)])

    assert len(found) == 1
    assert found[0][0] == pytest.approx(1.85, abs=0.021)


def test_each_pause_between_phrases_gives_one_boundary() -> None:
    found = _feed([_quiet(0.3), _speech(0.6), _quiet(0.7), _speech(0.5), _quiet(0.7),
                   _speech(0.4), _quiet(0.7)])

    assert [round(end, 2) for end, _ in found] == [0.9, 2.1, 3.2]


def test_a_click_is_not_speech() -> None:
    assert _feed([_quiet(0.5), _speech(0.04), _quiet(1.5)]) == []


def test_steady_room_noise_is_learnt_as_quiet() -> None:
    # Fan noise at -35 dBFS: above the fixed floor, far below the speech, learnt in 3 s.
    noise = 10 ** (-35 / 20)
    found = _feed([_quiet(3.0, noise), _speech(0.8), _quiet(1.0, noise), _speech(0.5),
                   _quiet(1.0, noise)])

    # While the floor is being learnt the noise may pass for speech once (Vosk then finds no
    # words in it); after that, only the real pauses count.
    assert len(found) <= 3
    assert [round(end, 1) for end, _ in found][-2:] == [3.8, 5.3]


def test_the_pause_length_is_configurable() -> None:
    config = EndpointConfig(pause_s=0.8)

    short_pause = _feed([_speech(0.5), _quiet(0.6), _speech(0.5), _quiet(1.0)], config)
    assert len(short_pause) == 1  # 0.6 s is not a pause any more

    closed_at = short_pause[0][1] - short_pause[0][0]
    assert closed_at == pytest.approx(0.8, abs=0.021)


def test_chunk_size_does_not_move_the_boundary() -> None:
    parts = [_quiet(0.2), _speech(0.7), _quiet(0.9)]

    assert _feed(parts, chunk=7) == _feed(parts, chunk=4096)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"pause_s": 0.01}, "pause_s must be between"),
    ({"frame_s": 1.0}, "frame_s must be between"),
])
def test_bad_configuration_is_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EndpointConfig(**kwargs)


def test_level_of_silence_and_of_full_scale() -> None:
    assert level_dbfs(np.zeros(160, dtype=np.int16)) == -120.0
    square = np.array([32767, -32767] * 80, dtype=np.int16)
    assert level_dbfs(square) == pytest.approx(0.0, abs=0.01)
