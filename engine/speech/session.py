"""Everything dictation needs, set up once from the settings: the model, the department word
list checked against it, the recogniser's grammar and the clean-up with term correction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.speech.cleanup import Cleaned, clean_dictation
from engine.speech.endpoint import EndpointConfig
from engine.speech.model import SpeechModel, check_model_folder, find_model_folder
from engine.speech.pinyin_fix import TermCorrector, shipped_terms
from engine.speech.recognizer import StreamingRecognizer
from engine.speech.words import WordListCheck, check_words, read_word_list

log = logging.getLogger(__name__)


@dataclass
class Dictation:
    """A loaded model with its word list and clean-up; make one recogniser per dictation."""

    model: SpeechModel
    words: WordListCheck | None
    corrector: TermCorrector
    endpoint: EndpointConfig
    use_word_list: bool = True

    @property
    def grammar(self) -> str | None:
        if self.words is None or not self.use_word_list or not self.model.supports_word_list:
            return None
        if not self.words.usable:
            return None
        return self.words.grammar(self.model.has_word)

    def recognizer(self, input_rate: int) -> StreamingRecognizer:
        return StreamingRecognizer(self.model, input_rate, grammar=self.grammar,
                                   endpoint=self.endpoint)

    def clean(self, raw: str) -> Cleaned:
        return clean_dictation(raw, self.corrector)


def load_dictation(model_dir: str, words_file: str = "", *, extra_terms: Iterable[str] = (),
                   endpoint: EndpointConfig | None = None,
                   search: list[Path] | None = None) -> Dictation:
    """Find and check the model, read the word list, build the corrector.

    Raises ModelError (dictation must stay off, with its message) or WordListError.
    """
    info = check_model_folder(find_model_folder(model_dir, search))
    model = SpeechModel(info)

    words = None
    terms = list(shipped_terms()) + list(extra_terms)
    if words_file.strip():
        listed = read_word_list(Path(words_file.strip()).expanduser())
        words = check_words(listed, model.has_word, info.dynamic_graph)
        log.info("word list: %s", words.report())
        terms += listed
    return Dictation(model, words, TermCorrector(terms), endpoint or EndpointConfig())
