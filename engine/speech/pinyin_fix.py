"""Medical terms misheard as words that sound alike (鸡盖蛋白 for 肌钙蛋白), put right by
pronunciation.

Vosk writes only words of its vocabulary. A term its language model rarely saw comes out as
ordinary words with the same sounds: `鸡 盖 蛋白`. The corrector compares stretches of the
dictated text with the terms (the findings vocabulary, the department word list, the terms
shipped in data/medical_terms.txt) syllable by syllable in pinyin, and replaces a stretch when
its confidence reaches `THRESHOLD`.

Confidence of a stretch against a term of the same length is the mean over its characters of:
1.0 same character or same syllable and tone; 0.8 same syllable, other tone (0.9 against a
neutral tone); 0.7 / 0.6 for syllables that differ only in sounds that are commonly merged
(zh/z, ch/c, sh/s, n/l, f/h, -ng/-n) with the same / another tone; and 0 otherwise, which rules
the term out. Two things Vosk's output says are used as well: a stretch must start and end on
Vosk's word boundaries (a term is misheard as whole words; 关心病情 does not hide 冠心病), and a
stretch that is one whole Vosk word is a word Vosk was sure of (心急 is not 心悸), scored x0.8.
A polyphonic character counts with its best reading, other than its usual one at x0.95.

THRESHOLD was measured by `bench/dictation_bench.py --pinyin` over the labelled sentences in
tests/speech/data/misheard.tsv (misheard terms to fix and look-alike words to keep): it sits
half-way between the highest-scoring stretch that must be kept and the lowest-scoring one that
must be fixed.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

log = logging.getLogger(__name__)

THRESHOLD = 0.85
MIN_TERM_CHARS = 2
MAX_TERM_CHARS = 12
WHOLE_WORD_FACTOR = 0.8
OTHER_READING_FACTOR = 0.95

_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j",
             "q", "x", "r", "z", "c", "s", "y", "w")
_MERGED_INITIALS = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "f": "h"}
_MERGED_FINALS = {"iang": "ian", "uang": "uan", "ang": "an", "eng": "en", "ing": "in"}


@dataclass(frozen=True)
class Syllable:
    initial: str
    final: str
    tone: str

    @property
    def base(self) -> str:
        return self.initial + self.final

    @property
    def merged(self) -> str:
        """The syllable with commonly merged sounds collapsed (zh -> z, -ng -> -n...)."""
        final = self.final
        for long, short in _MERGED_FINALS.items():
            if final.endswith(long):
                final = final[: -len(long)] + short
                break
        return _MERGED_INITIALS.get(self.initial, self.initial) + final


@dataclass(frozen=True)
class Fix:
    """Replace text[start:end] (what was heard) by `term`."""

    start: int
    end: int
    heard: str
    term: str
    confidence: float


def parse_syllable(tone3: str) -> Syllable:
    """A pypinyin TONE3 syllable ("zha4", "le5") split into initial, final and tone."""
    tone = tone3[-1] if tone3[-1].isdigit() else "5"
    base = tone3.rstrip("012345")
    initial = next((i for i in _INITIALS if base.startswith(i) and len(base) > len(i)), "")
    return Syllable(initial, base[len(initial):], tone)


@lru_cache(maxsize=20_000)
def readings(char: str) -> tuple[Syllable, ...]:
    """Every reading of a character, its usual one first; () for non-Han characters."""
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True,
                   errors="ignore")
    if len(char) != 1 or not found:
        return ()
    return tuple(parse_syllable(item) for item in found[0] if item and item[0].isalpha())


def term_syllables(term: str) -> tuple[Syllable, ...] | None:
    """A term's pronunciation with phrase-aware readings (the 血 of 咯血 is xie3)."""
    from pypinyin import Style, pinyin

    found = pinyin(term, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")
    syllables = [parse_syllable(item[0]) for item in found
                 if item and item[0] and item[0][0].isalpha()]
    return tuple(syllables) if len(syllables) == len(term) else None


def syllable_similarity(heard: Syllable, wanted: Syllable) -> float:
    if heard.base == wanted.base:
        if heard.tone == wanted.tone:
            return 1.0
        return 0.9 if "5" in (heard.tone, wanted.tone) else 0.8
    if heard.merged == wanted.merged:
        return 0.7 if heard.tone == wanted.tone else 0.6
    return 0.0


def _char_similarity(char: str, wanted_char: str, wanted: Syllable) -> float:
    if char == wanted_char:
        return 1.0
    best = 0.0
    for index, reading in enumerate(readings(char)):
        score = syllable_similarity(reading, wanted)
        best = max(best, score if index == 0 else score * OTHER_READING_FACTOR)
    return best


class TermCorrector:
    """Finds misheard terms in dictated text; `find` applies the threshold, `candidates` not."""

    def __init__(self, terms: Iterable[str], threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._terms: dict[str, tuple[Syllable, ...]] = {}
        self._index: dict[tuple[str, ...], list[str]] = {}
        for term in terms:
            self._add(term.strip())
        log.debug("pinyin corrector over %d terms", len(self._terms))

    def _add(self, term: str) -> None:
        if not MIN_TERM_CHARS <= len(term) <= MAX_TERM_CHARS or term in self._terms:
            return
        if not all(readings(char) for char in term):
            return  # only all-Han terms: Latin and digits are not misheard this way
        syllables = term_syllables(term)
        if syllables is None:
            return
        self._terms[term] = syllables
        self._index.setdefault(tuple(s.merged for s in syllables), []).append(term)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(self._terms)

    def score(self, heard: str, term: str, whole_word: bool = False) -> float:
        """Confidence that `heard` is `term` misheard (0 when the sounds differ)."""
        wanted = self._terms.get(term) or term_syllables(term)
        if wanted is None or len(heard) != len(term) or heard == term:
            return 0.0
        scores = [_char_similarity(c, t, s) for c, t, s in zip(heard, term, wanted, strict=True)]
        if min(scores) == 0.0:
            return 0.0
        confidence = sum(scores) / len(scores)
        return confidence * WHOLE_WORD_FACTOR if whole_word else confidence

    def candidates(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[Fix]:
        """Every stretch on word boundaries that sounds like a term, with its confidence."""
        starts = {start for start, _ in tokens}
        ends = {end for _, end in tokens}
        whole_words = set(tokens)
        exact = self._exact_spans(text)

        found = []
        for start in sorted(starts):
            for end in sorted(e for e in ends if MIN_TERM_CHARS <= e - start <= MAX_TERM_CHARS):
                heard = text[start:end]
                if heard in self._terms or any(s < end and start < e for s, e in exact):
                    continue
                for term in self._lookup(heard):
                    confidence = self.score(heard, term, (start, end) in whole_words)
                    if confidence > 0:
                        found.append(Fix(start, end, heard, term, round(confidence, 4)))
        return found

    def find(self, text: str, tokens: Sequence[tuple[int, int]]) -> list[Fix]:
        """The fixes to make: at or above the threshold, best first, never overlapping."""
        chosen: list[Fix] = []
        ranked = sorted(self.candidates(text, tokens),
                        key=lambda fix: (-fix.confidence, -(fix.end - fix.start), fix.start))
        for fix in ranked:
            if fix.confidence < self.threshold:
                break
            if all(fix.end <= other.start or fix.start >= other.end for other in chosen):
                chosen.append(fix)
        return sorted(chosen, key=lambda fix: fix.start)

    def _lookup(self, heard: str) -> list[str]:
        options = [sorted({r.merged for r in readings(char)}) for char in heard]
        if not all(options):
            return []
        terms: list[str] = []
        for key in itertools.product(*options):
            terms += self._index.get(key, [])
        return terms

    def _exact_spans(self, text: str) -> list[tuple[int, int]]:
        """Where terms already stand correctly; nothing overlapping them is 'corrected'."""
        spans = []
        for term in self._terms:
            start = text.find(term)
            while start >= 0:
                spans.append((start, start + len(term)))
                start = text.find(term, start + 1)
        return spans


def shipped_terms() -> list[str]:
    """The ED terms shipped with the app (data/medical_terms.txt), one a line."""
    text = resources.files("engine.speech").joinpath("data/medical_terms.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


def best_confidence(corrector: TermCorrector, raw: str) -> float:
    """The highest confidence of any stretch of Vosk's text `raw`, threshold aside."""
    from engine.speech.cleanup import join_words

    joined = join_words(raw)
    return max((fix.confidence for fix in corrector.candidates(joined.text, joined.tokens)),
               default=0.0)


def separating_threshold(fix_scores: Sequence[float],
                         keep_scores: Sequence[float]) -> float | None:
    """Half-way between the best score that must be kept and the worst that must be fixed;
    None when the two overlap (no threshold separates them)."""
    lowest_fix, highest_keep = min(fix_scores), max(keep_scores, default=0.0)
    if lowest_fix <= highest_keep:
        return None
    return round((lowest_fix + highest_keep) / 2, 4)

