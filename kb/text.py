"""Chinese-aware words for the full-text index and for queries.

Documents are segmented with jieba in search mode (long words and their parts) and stored
space-joined in a `unicode61` FTS5 column. Queries are segmented in precise mode and each word
becomes a group of alternatives: itself, its synonyms (心衰 = 心力衰竭 = HF) and, for words the
dictionary does not know, their parts. The medical word list and every synonym are added to the
dictionary so they are always cut as one word.

The segmenter is one private jieba instance, so adding words never changes how other parts of
the program segment text.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

log = logging.getLogger(__name__)

# Runs of letters, digits and CJK; everything else separates words.
_WORDLIKE = re.compile(r"[\w\u4e00-\u9fff\-+#.%]+")
_DIGITS = re.compile(r"^[\d.%\-+]+$")
_HAS_LETTER = re.compile(r"[^\W_]")


def _data(name: str) -> str:
    return (resources.files("kb") / "data" / name).read_text(encoding="utf-8")


def _normalise(word: str) -> str:
    return unicodedata.normalize("NFKC", word).lower().strip()


@dataclass(frozen=True)
class QueryGroup:
    """One query word and the alternatives that count as matching it."""

    word: str
    alternatives: tuple[str, ...]
    synonyms: tuple[str, ...] = ()


class Segmenter:
    """Cuts Chinese (and mixed) text into the words the index holds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jieba: object | None = None

    @cached_property
    def stopwords(self) -> frozenset[str]:
        lines = _data("stopwords.txt").splitlines()
        return frozenset(
            _normalise(line) for line in lines if line.strip() and not line.startswith("#")
        )

    @cached_property
    def synonym_groups(self) -> tuple[tuple[str, ...], ...]:
        raw = tomllib.loads(_data("synonyms.toml"))
        groups = []
        for group in raw["groups"]:
            words = tuple(_normalise(word) for word in group)
            if any(" " in word or not word for word in words):
                raise ValueError(f"synonyms.toml: words must not hold spaces: {group}")
            groups.append(words)
        return tuple(groups)

    @cached_property
    def _synonyms_of(self) -> dict[str, tuple[str, ...]]:
        table: dict[str, tuple[str, ...]] = {}
        for group in self.synonym_groups:
            for word in group:
                table[word] = tuple(sorted(set(table.get(word, ()) + group)))
        return table

    @cached_property
    def medical_words(self) -> frozenset[str]:
        words = {_normalise(line.split()[0]) for line in _data("medical_terms.txt").splitlines()
                 if line.strip() and not line.startswith("#")}
        for group in self.synonym_groups:
            words.update(group)
        return frozenset(words)

    @cached_property
    def version(self) -> str:
        """Changes whenever the word lists change, i.e. when stored words need re-cutting."""
        digest = hashlib.sha256()
        for name in ("medical_terms.txt", "synonyms.toml", "stopwords.txt"):
            digest.update(_data(name).encode("utf-8"))
        return digest.hexdigest()[:12]

    def canonical(self, word: str) -> str:
        """The first name of the synonym group holding `word`, else the word itself."""
        word = _normalise(word)
        for group in self.synonym_groups:
            if word in group:
                return group[0]
        return word

    def _tokenizer(self) -> object:
        with self._lock:
            if self._jieba is None:
                self._jieba = self._load()
            return self._jieba

    def _load(self) -> object:
        import jieba

        # jieba logs its dictionary loading at DEBUG to its own stderr handler.
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for line in _data("medical_terms.txt").splitlines():
            parts = line.split()
            if parts and not line.startswith("#"):
                tokenizer.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None)
        for group in self.synonym_groups:
            for word in group:
                tokenizer.add_word(word, 300)
        return tokenizer

    def _keep(self, word: str) -> bool:
        return (
            word not in self.stopwords
            and _WORDLIKE.fullmatch(word) is not None
            and _HAS_LETTER.search(word) is not None
        )

    def index_words(self, text: str) -> list[str]:
        """Every word of `text` and every dictionary word inside it (心力衰竭 in 急性心力衰竭:
        jieba's own search mode looks only at parts of two and three characters)."""
        tokenizer = self._tokenizer()
        freq: dict[str, int] = tokenizer.FREQ  # type: ignore[attr-defined]
        words: list[str] = []
        for raw in tokenizer.lcut(text):  # type: ignore[attr-defined]
            word = _normalise(raw)
            if not self._keep(word):
                continue
            words.append(word)
            if len(word) > 2:
                words.extend(part for part in _dictionary_parts(word, freq) if self._keep(part))
        return words

    def index_text(self, text: str) -> str:
        return " ".join(self.index_words(text))

    def query_groups(self, query: str) -> list[QueryGroup]:
        """The query's words, each with its alternatives; repeated words count once."""
        tokenizer = self._tokenizer()
        freq: dict[str, int] = tokenizer.FREQ  # type: ignore[attr-defined]
        groups: list[QueryGroup] = []
        seen: set[str] = set()
        for raw in tokenizer.lcut(query):  # type: ignore[attr-defined]
            word = _normalise(raw)
            if not self._keep(word) or word in seen or _DIGITS.match(word):
                continue
            seen.add(word)
            synonyms = tuple(s for s in self._synonyms_of.get(word, ()) if s != word)
            alternatives = [word, *synonyms]
            if len(word) >= 3 and word not in freq and word not in self.medical_words:
                # A word jieba guessed: its parts still find text it was cut differently in.
                alternatives.extend(p for p in _dictionary_parts(word, freq) if self._keep(p))
            groups.append(QueryGroup(word, tuple(dict.fromkeys(alternatives)), synonyms))
        return groups


def _dictionary_parts(word: str, freq: dict[str, int]) -> list[str]:
    """Shorter dictionary words inside `word`, left to right."""
    parts = []
    for size in range(2, len(word)):
        for begin in range(len(word) - size + 1):
            part = word[begin:begin + size]
            if freq.get(part):
                parts.append(part)
    return parts


_SEGMENTER = Segmenter()


def segmenter() -> Segmenter:
    """The process-wide segmenter (jieba's dictionary loads once, about half a second)."""
    return _SEGMENTER


def fts_phrase(word: str) -> str:
    """A word as an FTS5 string: quoted, so user text can never become query syntax."""
    return '"' + word.replace('"', '""') + '"'


def match_expression(groups: list[QueryGroup]) -> str:
    """Any group may match; bm25 ranks chunks matching more and rarer words higher."""
    parts = []
    for group in groups:
        alternatives = " OR ".join(fts_phrase(word) for word in group.alternatives)
        parts.append(f"({alternatives})")
    return " OR ".join(parts)
