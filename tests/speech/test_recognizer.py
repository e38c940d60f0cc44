"""The streaming recogniser with the real Korean Vosk model and espeak-ng speech."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from engine.speech.audio import read_wav
from engine.speech.endpoint import EndpointConfig
from engine.speech.errors import AudioError, RecognizerError
from engine.speech.model import SpeechModel
from engine.speech.recognizer import Final, Partial, StreamingRecognizer, recognize
from tests.speech import voices

pytestmark = [pytest.mark.slow, pytest.mark.speech]


def _finals(events: list) -> list[Final]:
    return [event for event in events if isinstance(event, Final)]


def _partials(events: list) -> list[Partial]:
    return [event for event in events if isinstance(event, Partial)]


@pytest.mark.parametrize("sentence", voices.SENTENCES)
def test_word_list_speech_is_recognised_exactly(ko_model: SpeechModel, ko_grammar: str,
                                                speech_dir: Path, sentence: str) -> None:
    audio = read_wav(voices.synthesize(sentence, speech_dir / "exact.wav"))

    events, _ = recognize(ko_model, audio, grammar=ko_grammar)

    assert [final.text for final in _finals(events)] == [sentence]


def test_partials_grow_while_speaking_and_precede_the_final(ko_model: SpeechModel,
                                                             ko_grammar: str,
                                                             speech_dir: Path) -> None:
    sentence = voices.SENTENCES[3]
    audio = read_wav(voices.synthesize(sentence, speech_dir / "partials.wav"))

    events, _ = recognize(ko_model, audio, grammar=ko_grammar)

    partials, finals = _partials(events), _finals(events)
    assert len(partials) >= 2
    assert events.index(finals[0]) > events.index(partials[-1])
    # Partials are provisional (the last word may still change) but the words before settle.
    assert partials[-1].text.split()[:2] == sentence.split()[:2]
    assert all(a.text != b.text for a, b in itertools.pairwise(partials))  # only changes
    times = [partial.audio_s for partial in partials]
    assert times == sorted(times)
    assert times[0] < voices.speech_end(audio)  # text appears while the speech goes on


def test_a_pause_closes_each_utterance(ko_model: SpeechModel, ko_grammar: str,
                                       speech_dir: Path) -> None:
    said = [voices.SENTENCES[0], voices.SENTENCES[4]]
    audio = read_wav(voices.utterances(said, speech_dir / "two.wav", pause_s=1.2))

    finals = _finals(recognize(ko_model, audio, grammar=ko_grammar)[0])

    assert [final.text for final in finals] == said
    assert [final.reason for final in finals] == ["pause", "pause"]
    pause = EndpointConfig().pause_s
    for final in finals:
        # Closed by the pause detector: pause_s after the speech, to one frame and one piece.
        assert final.audio_s - final.speech_end_s == pytest.approx(pause, abs=0.12)
    assert finals[0].words[0].text == said[0].split()[0]
    assert finals[1].words[0].start_s > finals[0].speech_end_s  # times run on across finals


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_other_sample_rates_are_resampled_first(ko_model: SpeechModel, ko_grammar: str,
                                                speech_dir: Path, rate: int) -> None:
    sentence = voices.SENTENCES[1]
    audio = read_wav(voices.synthesize(sentence, speech_dir / f"rate{rate}.wav", rate))
    assert audio.rate == rate

    events, recognizer = recognize(ko_model, audio, grammar=ko_grammar)

    assert [final.text for final in _finals(events)] == [sentence]
    assert recognizer.audio_s == pytest.approx(audio.seconds, abs=0.01)


def test_stereo_float_recordings_work_like_mono_pcm(ko_model: SpeechModel, ko_grammar: str,
                                                    speech_dir: Path) -> None:
    sentence = voices.SENTENCES[2]
    path = voices.synthesize(sentence, speech_dir / "float.wav", 48000, channels=2,
                             encoding=("-b", "32", "-e", "floating-point"))

    events, _ = recognize(ko_model, read_wav(path), grammar=ko_grammar)

    assert [final.text for final in _finals(events)] == [sentence]


@pytest.mark.parametrize("chunk_s", [0.013, 0.25, 1.0])
def test_chunk_size_does_not_change_the_text(ko_model: SpeechModel, ko_grammar: str,
                                             speech_dir: Path, chunk_s: float) -> None:
    sentence = voices.SENTENCES[5]
    audio = read_wav(voices.synthesize(sentence, speech_dir / "chunks.wav"))

    events, _ = recognize(ko_model, audio, grammar=ko_grammar, chunk_s=chunk_s)

    assert [final.text for final in _finals(events)] == [sentence]


def test_stopping_mid_sentence_still_gives_what_was_heard(ko_model: SpeechModel,
                                                          ko_grammar: str,
                                                          speech_dir: Path) -> None:
    sentence = voices.SENTENCES[6]
    audio = read_wav(voices.synthesize(sentence, speech_dir / "cut.wav", tail_s=0.0))
    recognizer = StreamingRecognizer(ko_model, audio.rate, grammar=ko_grammar)

    events = recognizer.accept(audio.samples) + recognizer.finish()

    finals = _finals(events)
    assert [final.text for final in finals] == [sentence]
    assert finals[0].reason == "end"
    with pytest.raises(RecognizerError, match="has finished; start a new one"):
        recognizer.accept(audio.samples[:160])
    assert recognizer.finish() == []


def test_pcm_bytes_are_accepted_and_checked(ko_model: SpeechModel, ko_grammar: str,
                                            speech_dir: Path) -> None:
    sentence = voices.SENTENCES[7]
    audio = read_wav(voices.synthesize(sentence, speech_dir / "bytes.wav"))
    recognizer = StreamingRecognizer(ko_model, audio.rate, grammar=ko_grammar)

    events = recognizer.accept(audio.samples.astype("<i2").tobytes()) + recognizer.finish()

    assert [final.text for final in _finals(events)] == [sentence]
    with pytest.raises(AudioError, match="even number of bytes"):
        StreamingRecognizer(ko_model, 16000).accept(b"\x00\x01\x02")
    with pytest.raises(TypeError, match="must be int16"):
        StreamingRecognizer(ko_model, 16000).accept(np.zeros(10, dtype=np.float32))
    with pytest.raises(ValueError, match="input rate must be between"):
        StreamingRecognizer(ko_model, 100)


def test_silence_gives_no_text(ko_model: SpeechModel, ko_grammar: str) -> None:
    recognizer = StreamingRecognizer(ko_model, 16000, grammar=ko_grammar)

    events = recognizer.accept(np.zeros(32000, dtype=np.int16)) + recognizer.finish()

    assert events == []


def test_the_full_vocabulary_path_runs_end_to_end(ko_model: SpeechModel,
                                                  speech_dir: Path) -> None:
    # Without a word list espeak-ng's voice is heard as other words: this checks the
    # plumbing (partials, a final per pause, timing), not what the words are.
    said = [voices.SENTENCES[0], voices.SENTENCES[1]]
    audio = read_wav(voices.utterances(said, speech_dir / "full.wav", pause_s=1.2))

    events, recognizer = recognize(ko_model, audio)

    finals = _finals(events)
    assert len(finals) == 2
    assert all(final.text and final.words for final in finals)
    assert _partials(events)
    assert recognizer.busy_s > 0
