"""The real Korean Vosk model, loaded once for the whole run (2 s, about 0.5 GB)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.speech.model import SpeechModel
from engine.speech.words import check_words
from tests.speech import voices


@pytest.fixture(scope="session")
def ko_model() -> SpeechModel:
    return SpeechModel.load(voices.model_folder())


@pytest.fixture(scope="session")
def ko_grammar(ko_model: SpeechModel) -> str:
    return check_words(voices.WORDS, ko_model.has_word).grammar(ko_model.has_word)


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")
