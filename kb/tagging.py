"""Automatic tags: medical keywords of the document plus keyword and department rules.

Three sources, kept apart in the store by `origin`:
- `auto`: the document's most frequent medical words (canonical names: 心衰 -> 心力衰竭) and
  the tags of `data/tag_rules.toml` whose words occur in it or whose department it belongs to;
- `import`: tags given on the command line;
- `editor`: corrections by a knowledge-base editor, which survive re-imports.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kb.errors import BadFilter
from kb.text import segmenter

KEYWORD_TAGS = 3
MAX_TAG_CHARS = 30


@dataclass(frozen=True)
class TagRules:
    keyword_rules: tuple[tuple[str, tuple[str, ...]], ...]
    department_rules: dict[str, tuple[str, ...]]


@cache
def tag_rules() -> TagRules:
    raw = tomllib.loads(
        (resources.files("kb") / "data" / "tag_rules.toml").read_text(encoding="utf-8")
    )
    keywords = tuple((rule["tag"], tuple(rule["words"])) for rule in raw.get("keyword", []))
    departments = {name: tuple(tags) for name, tags in raw.get("department", {}).items()}
    return TagRules(keywords, departments)


def auto_tags(text: str, department: str, words: list[str] | None = None) -> list[str]:
    """Tags for a document from its text and department, most telling first."""
    seg = segmenter()
    words = seg.index_words(text) if words is None else words
    medical = Counter(seg.canonical(word) for word in words if word in seg.medical_words)
    tags = [word for word, _ in medical.most_common(KEYWORD_TAGS) if len(word) >= 2]

    rules = tag_rules()
    lowered = text.lower()
    for tag, triggers in rules.keyword_rules:
        if any(trigger.lower() in lowered for trigger in triggers):
            tags.append(tag)
    tags.extend(rules.department_rules.get(department, ()))
    return list(dict.fromkeys(tag for tag in tags if len(tag) <= MAX_TAG_CHARS))


def clean_tag(tag: str) -> str:
    """A tag as stored: trimmed, one line, bounded."""
    cleaned = " ".join(tag.split())
    if not cleaned or len(cleaned) > MAX_TAG_CHARS or "," in cleaned:
        raise BadFilter(f"a tag is 1 to {MAX_TAG_CHARS} characters without commas: {tag!r}")
    return cleaned
