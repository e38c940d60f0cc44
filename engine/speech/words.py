"""Department word lists: the terms a department dictates (drug names, 肌钙蛋白, 压榨性...).

A word list file is UTF-8 text, one term a line; blank lines and lines starting with `#` are
skipped. Each term is checked against the model's vocabulary before Vosk sees it, because Vosk
drops unknown words with only a log line. A Chinese term the vocabulary lacks as one word is
kept when it can be spelled with the vocabulary's words (肌钙蛋白 as 肌 钙 蛋白): Vosk then hears
it as that sequence. A term that cannot be spelled at all is reported as missing.

Where the model has a dynamic graph (small models), the usable terms become a Vosk grammar: the
recogniser then hears only those words, in any order, which is what makes it fast and exact on
a department's vocabulary. Large models cannot take runtime word lists; the list then only
feeds the pronunciation-based correction.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.speech.errors import WordListError

log = logging.getLogger(__name__)

MAX_BYTES = 2_000_000
MAX_TERMS = 50_000
MAX_TERM_CHARS = 40
_LONGEST_PIECE = 8  # longest vocabulary word tried when spelling a term from pieces
UNKNOWN_WORD = "[unk]"


def read_word_list(path: Path) -> list[str]:
    """The terms of a word list file, in order, without duplicates."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise WordListError(f"word list {path} does not exist; check setting "
                            "vosk_words_file") from None
    except IsADirectoryError:
        raise WordListError(f"word list {path} is a folder; name a text file") from None
    except OSError as exc:
        raise WordListError(f"cannot read word list {path}: {exc.strerror}") from None
    return parse_word_list(raw, str(path))


def parse_word_list(raw: bytes, name: str = "word list") -> list[str]:
    if len(raw) > MAX_BYTES:
        raise WordListError(f"{name} is {len(raw):,} bytes; a word list may have at most "
                            f"{MAX_BYTES:,} (split it by department)")
    if b"\x00" in raw:
        raise WordListError(f"{name} contains NUL bytes: it is not a text file (save it as "
                            "UTF-8 text)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw[:exc.start].count(b"\n") + 1
        raise WordListError(f"{name} is not UTF-8 (line {bad_line}); save it as UTF-8 text, "
                            "not GBK") from None

    terms: dict[str, None] = {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        term = " ".join(unicodedata.normalize("NFKC", line).split())
        if not term or term.startswith("#"):
            continue
        if len(term) > MAX_TERM_CHARS:
            raise WordListError(f"{name} line {line_number}: a term may have at most "
                                f"{MAX_TERM_CHARS} characters (got {len(term)})")
        terms[term] = None
    if not terms:
        raise WordListError(f"{name} holds no terms (one term a line; # starts a comment)")
    if len(terms) > MAX_TERMS:
        raise WordListError(f"{name} has {len(terms):,} terms; at most {MAX_TERMS:,} are "
                            "allowed")
    return list(terms)


@dataclass(frozen=True)
class WordListCheck:
    """What the model can do with a word list."""

    usable: tuple[str, ...]              # terms as the recogniser hears them (words by spaces)
    missing: tuple[str, ...]             # terms that cannot be spelled with the vocabulary
    spelled: dict[str, str] = field(default_factory=dict)  # term -> pieces, where split
    applied: bool = True                 # False: the model has a static graph

    @property
    def total(self) -> int:
        return len(self.usable) + len(self.missing)

    def report(self) -> str:
        """One line for the status bar and the log; names the missing terms."""
        lines = [f"{len(self.usable)} of {self.total} terms usable"]
        if self.spelled:
            lines.append(f"{len(self.spelled)} spelled from smaller words")
        if self.missing:
            shown = "、".join(self.missing[:20])
            more = f" (+{len(self.missing) - 20} more)" if len(self.missing) > 20 else ""
            lines.append(f"not in the model's vocabulary, left out: {shown}{more}")
        if not self.applied:
            lines.append("this large model cannot take a word list; it is used for "
                         "correction only")
        return "; ".join(lines)

    def grammar(self, has_word: Callable[[str], bool]) -> str:
        """The Vosk grammar (a JSON list of phrases), with [unk] when the model knows it."""
        phrases = list(self.usable)
        if has_word(UNKNOWN_WORD):
            phrases.append(UNKNOWN_WORD)
        return json.dumps(phrases, ensure_ascii=False)


def check_words(terms: Iterable[str], has_word: Callable[[str], bool],
                dynamic_graph: bool = True) -> WordListCheck:
    """Sort terms into usable and missing by the model's vocabulary (`has_word`)."""
    usable: list[str] = []
    missing: list[str] = []
    spelled: dict[str, str] = {}
    for term in terms:
        pieces = spell(term, has_word)
        if pieces is None:
            missing.append(term)
            continue
        heard = " ".join(pieces)
        usable.append(heard)
        if heard != term:
            spelled[term] = heard
    if missing:
        log.warning("%d of %d word-list terms are not in the model's vocabulary",
                    len(missing), len(usable) + len(missing))
    return WordListCheck(tuple(dict.fromkeys(usable)), tuple(missing), spelled, dynamic_graph)


def spell(term: str, has_word: Callable[[str], bool]) -> list[str] | None:
    """The vocabulary words that make up `term`, or None when it cannot be spelled.

    Words separated by spaces must each be in the vocabulary (trying lower case too, as
    vocabularies are lower case). A run of Chinese characters is taken whole if the vocabulary
    has it, else split into the fewest vocabulary words.
    """
    pieces: list[str] = []
    for word in term.split():
        found = _as_known(word, has_word)
        if found is not None:
            pieces.append(found)
            continue
        split = _fewest_pieces(word, has_word)
        if split is None:
            return None
        pieces.extend(split)
    return pieces or None


def _as_known(word: str, has_word: Callable[[str], bool]) -> str | None:
    for form in dict.fromkeys((word, word.lower())):
        if has_word(form):
            return form
    return None


def _fewest_pieces(word: str, has_word: Callable[[str], bool]) -> list[str] | None:
    """Dynamic programming over split points: the split with the fewest known pieces."""
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST_PIECE), end):
            before = best[start]
            if before is None:
                continue
            piece = _as_known(word[start:end], has_word)
            if piece is None:
                continue
            candidate = [*before, piece]
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    return best[len(word)]
