"""Boilerplate removal: page numbers, running headers and footers, copyright and stamp lines.

Cleaning never rewrites text. It splits the document into lines that keep their offsets in the
source and drops whole lines, so every chunk still points at the exact characters it came from.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

_PAGE_NUMBER = re.compile(
    r"^\s*(?:第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|[-—–]\s*\d+\s*[-—–]"
    r"|\d+\s*/\s*\d+|page\s+\d+(?:\s+of\s+\d+)?)\s*$",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^\s*\d{1,4}\s*$")
_BOILERPLATE = re.compile(
    r"版权所有|内部资料|请勿外传|仅供内部|打印时间|打印日期|受控文件|未经许可|"
    r"copyright|all rights reserved",
    re.IGNORECASE,
)
_NO_LETTERS = re.compile(r"^[\W_]+$")
BOILERPLATE_MAX_CHARS = 60
EDGE_LINES = 2


@dataclass(frozen=True)
class Line:
    """One line of the source: `text == source[start:end]`; blank lines have empty text."""

    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def split_lines(text: str) -> list[Line]:
    lines = []
    position = 0
    for raw in text.split("\n"):
        lines.append(Line(position, position + len(raw), raw))
        position += len(raw) + 1
    return lines


def _is_boilerplate(line: Line, paged: bool) -> bool:
    stripped = line.text.strip()
    if _PAGE_NUMBER.match(stripped) or _NO_LETTERS.match(stripped):
        return True
    if paged and _BARE_NUMBER.match(stripped):
        return True
    return len(stripped) <= BOILERPLATE_MAX_CHARS and bool(_BOILERPLATE.search(stripped))


def _edge_signature(text: str) -> str:
    # Headers and footers differ only by the page number or date from page to page.
    return re.sub(r"\d+", "#", text.strip())


def _running_lines(lines: list[Line], pages: list[tuple[int, int]]) -> set[int]:
    """Indexes of lines that repeat at the top or bottom of most pages."""
    if len(pages) < 2:
        return set()
    page_starts = [start for start, _ in pages]
    on_page: list[list[int]] = [[] for _ in pages]
    for index, line in enumerate(lines):
        page = bisect.bisect_right(page_starts, line.start) - 1
        if page >= 0 and not line.blank and line.end <= pages[page][1]:
            on_page[page].append(index)
    edges_by_page = [found[:EDGE_LINES] + found[-EDGE_LINES:] for found in on_page]

    counts: Counter[str] = Counter()
    for edges in edges_by_page:
        counts.update({_edge_signature(lines[i].text) for i in edges})
    needed = max(2, (len(pages) + 1) // 2)
    running = {signature for signature, count in counts.items() if count >= needed}
    return {i for edges in edges_by_page for i in edges
            if _edge_signature(lines[i].text) in running}


def clean_lines(text: str, pages: list[tuple[int, int]] | None = None) -> list[Line]:
    """The lines worth indexing, blank lines kept as paragraph breaks."""
    lines = split_lines(text)
    paged = bool(pages)
    running = _running_lines(lines, pages or [])
    kept = []
    for index, line in enumerate(lines):
        if line.blank or (index not in running and not _is_boilerplate(line, paged)):
            kept.append(line)
    return kept
