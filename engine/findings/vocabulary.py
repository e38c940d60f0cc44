"""The findings vocabulary, loaded from ``vocabulary.toml`` and compiled for matching.

The data file is the one list of finding ids and their Chinese words; this module checks its
form (unknown keys, duplicate ids, regular expressions that do not compile are
`VocabularyError`), expands the pattern macros and offers look-ups by field and id.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from engine.findings.errors import VocabularyError

# Vocabulary sections and the findings field each feeds (symptoms are present or absent).
TERM_FIELDS = ("symptom", "onset", "course", "character", "location", "radiation",
               "aggravating", "relieving", "history")
TERM_KEYS = {"id", "label", "record", "synonyms", "patterns", "negative", "unknown",
             "not_after", "not_before"}
TOP_KEYS = {"version", "macros", "fields", "healthy", "family", *TERM_FIELDS}
FAMILY_KEYS = {"male", "female", "unspecified", "first_degree", "coronary", "stop"}
_ID = re.compile(r"[a-z][a-z0-9_]*")
_MACRO = re.compile(r"%([a-z_]+)%")


@dataclass(frozen=True)
class Term:
    """One finding value with the compiled expressions that find it in the normalised text."""

    field: str
    id: str
    label: str
    record: str
    matchers: tuple[re.Pattern[str], ...]
    negative: re.Pattern[str] | None
    unknown: re.Pattern[str] | None
    not_after: tuple[str, ...]
    not_before: tuple[str, ...]


@dataclass(frozen=True)
class Family:
    """Words for relatives, their sex and degree, and for a coronary event of theirs."""

    male: tuple[str, ...]
    female: tuple[str, ...]
    unspecified: tuple[str, ...]
    first_degree: frozenset[str]
    coronary: tuple[str, ...]
    stop: tuple[str, ...]

    @property
    def relatives(self) -> tuple[str, ...]:
        return tuple(sorted({*self.male, *self.female, *self.unspecified}, key=len, reverse=True))


@dataclass(frozen=True)
class Vocabulary:
    version: int
    field_labels: dict[str, str]
    terms: tuple[Term, ...]
    healthy_phrases: tuple[str, ...]
    healthy_denies: tuple[str, ...]
    family: Family

    def of(self, field: str) -> tuple[Term, ...]:
        """The terms of one vocabulary section, in file order."""
        return tuple(term for term in self.terms if term.field == field)

    def ids(self, field: str) -> tuple[str, ...]:
        return tuple(term.id for term in self.of(field))

    def term(self, field: str, term_id: str) -> Term:
        for term in self.terms:
            if term.field == field and term.id == term_id:
                return term
        raise KeyError(f"{field}:{term_id}")

    def label(self, field: str, term_id: str) -> str:
        return self.term(field, term_id).label

    def labels(self) -> dict[str, dict[str, str]]:
        """Chinese labels by section and id, for the panel."""
        return {field: {term.id: term.label for term in self.of(field)} for field in TERM_FIELDS}

    def record(self, field: str, term_id: str) -> str:
        """The phrase a record writes for this value (its label when no phrase is given)."""
        term = self.term(field, term_id)
        return term.record or term.label


@cache
def vocabulary() -> Vocabulary:
    """The packaged vocabulary, parsed once."""
    raw = (resources.files("engine.findings") / "vocabulary.toml").read_text("utf-8")
    return parse_vocabulary(raw)


def parse_vocabulary(raw: str, *, source: str = "vocabulary.toml") -> Vocabulary:
    """Check and compile a vocabulary file's text."""
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise VocabularyError(f"{source}: unknown sections {', '.join(unknown)}")

    macros = _macros(data.get("macros", {}), source)
    terms: list[Term] = []
    for field in TERM_FIELDS:
        seen: set[str] = set()
        for entry in data.get(field, []):
            term = _term(field, entry, macros, source)
            if term.id in seen:
                raise VocabularyError(f"{source}: {field} id {term.id!r} is defined twice")
            seen.add(term.id)
            terms.append(term)

    healthy = data.get("healthy", {})
    denies = tuple(_strings(healthy, "denies", f"{source} [healthy]"))
    history_ids = {term.id for term in terms if term.field == "history"}
    stray = sorted(set(denies) - history_ids)
    if stray:
        raise VocabularyError(f"{source}: [healthy] denies unknown history ids {stray}")
    fields = data.get("fields", {})
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise VocabularyError(f"{source}: [fields] must map field names to labels")

    return Vocabulary(
        version=int(data.get("version", 0)),
        field_labels=dict(fields),
        terms=tuple(terms),
        healthy_phrases=tuple(_strings(healthy, "phrases", f"{source} [healthy]")),
        healthy_denies=denies,
        family=_family(data.get("family", {}), source),
    )


def _macros(raw: Any, source: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise VocabularyError(f"{source}: [macros] must map names to regular expressions")
    return dict(raw)


def _expand(pattern: str, macros: dict[str, str], where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise VocabularyError(f"{where}: unknown macro %{name}%")
        return macros[name]

    return _MACRO.sub(replace, pattern)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise VocabularyError(f"{where}: bad regular expression {pattern!r}: {exc}") from None


def _literals(words: list[str], where: str) -> re.Pattern[str] | None:
    """One expression for a list of literal words, longest first so the longest one wins."""
    if not words:
        return None
    ordered = sorted(set(words), key=len, reverse=True)
    # A Latin abbreviation (pci, tia) must stand alone, not inside a longer word (initial).
    parts = [rf"(?<![a-z]){re.escape(word)}(?![a-z])" if word.isascii() and word[-1:].isalpha()
             else re.escape(word) for word in ordered]
    return _compile("|".join(parts), where)


def _term(field: str, entry: Any, macros: dict[str, str], source: str) -> Term:
    if not isinstance(entry, dict):
        raise VocabularyError(f"{source}: each [[{field}]] entry must be a table")
    where = f"{source} [[{field}]] {entry.get('id', '?')}"
    unknown = sorted(set(entry) - TERM_KEYS)
    if unknown:
        raise VocabularyError(f"{where}: unknown keys {', '.join(unknown)}")
    term_id = entry.get("id")
    if not isinstance(term_id, str) or not _ID.fullmatch(term_id):
        raise VocabularyError(f"{where}: 'id' must be a lower-case identifier")
    label = entry.get("label")
    if not isinstance(label, str) or not label:
        raise VocabularyError(f"{where}: 'label' must be non-empty text")

    synonyms = _strings(entry, "synonyms", where)
    patterns = [_expand(p, macros, where) for p in _strings(entry, "patterns", where)]
    matchers = [_compile(p, where) for p in patterns]
    literal = _literals(synonyms, where)
    if literal is not None:
        matchers.insert(0, literal)
    if not matchers and field != "radiation":
        raise VocabularyError(f"{where}: needs synonyms or patterns")
    if field == "radiation" and literal is None:
        raise VocabularyError(f"{where}: a radiation target needs synonyms")

    record = entry.get("record", "")
    if not isinstance(record, str):
        raise VocabularyError(f"{where}: 'record' must be text")
    return Term(
        field=field,
        id=term_id,
        label=label,
        record=record,
        matchers=tuple(matchers),
        negative=_literals(_strings(entry, "negative", where), where),
        unknown=_literals(_strings(entry, "unknown", where), where),
        not_after=tuple(_strings(entry, "not_after", where)),
        not_before=tuple(_strings(entry, "not_before", where)),
    )


def _strings(table: Any, key: str, where: str) -> list[str]:
    value = table.get(key, []) if isinstance(table, dict) else []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise VocabularyError(f"{where}: '{key}' must be a list of non-empty text")
    return value


def _family(raw: Any, source: str) -> Family:
    where = f"{source} [family]"
    if not isinstance(raw, dict):
        raise VocabularyError(f"{where}: must be a table")
    unknown = sorted(set(raw) - FAMILY_KEYS)
    if unknown:
        raise VocabularyError(f"{where}: unknown keys {', '.join(unknown)}")
    return Family(
        male=tuple(_strings(raw, "male", where)),
        female=tuple(_strings(raw, "female", where)),
        unspecified=tuple(_strings(raw, "unspecified", where)),
        first_degree=frozenset(_strings(raw, "first_degree", where)),
        coronary=tuple(_strings(raw, "coronary", where)),
        stop=tuple(_strings(raw, "stop", where)),
    )
