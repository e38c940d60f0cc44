"""Chunks of a document: cut at headings first, then at paragraph and sentence ends.

Chinese sentences end with 。！？；, English ones with .!?; a sentence longer than a chunk is
cut at commas, and only as a last resort at a fixed length. A chunk never crosses a heading,
keeps its section path (e.g. `胸痛诊治 > 初始评估`) and the span of source characters it covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.cleaning import Line, clean_lines

TARGET_CHARS = 300
MAX_CHARS = 500
MIN_CHARS = 60
HEADING_MAX_CHARS = 40

_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# Numbered Chinese headings rank below Markdown ones, so 一、 under ## 鉴别诊断 nests in it.
_CHINESE_HEADINGS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^第[一二三四五六七八九十百零\d]+[章篇部分]\s*\S"), 11),
    (re.compile(r"^第[一二三四五六七八九十百零\d]+节\s*\S"), 12),
    (re.compile(r"^[一二三四五六七八九十]+[、.．]\s*\S"), 12),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*\S"), 13),
    (re.compile(r"^\d+\.\d+(?:\.\d+)?[\s、]*\S"), 14),
)
# A sentence ends at Chinese or Western end punctuation, with any closing quotes after it.
_SENTENCE = re.compile(r"[^。！？；!?;]*(?:[。！？；!?;]+[”’」』）)\"']*|$)")
_SOFT_BREAK = re.compile(r"[，,、：:]")
_ENDS_SENTENCE = re.compile(r"[。！？；!?;][”’」』）)\"']*\s*$")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Chunk:
    ordinal: int
    section: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    text: str
    ends_sentence: bool


def heading_level(line: str) -> tuple[int, str] | None:
    """(level, title) when the line is a heading, else None."""
    stripped = line.strip()
    match = _MARKDOWN_HEADING.match(stripped)
    if match:
        return len(match.group(1)), match.group(2).strip()
    if len(stripped) > HEADING_MAX_CHARS or _ENDS_SENTENCE.search(stripped):
        return None
    for pattern, level in _CHINESE_HEADINGS:
        if pattern.match(stripped):
            return level, stripped
    return None


def _line_pieces(line: Line) -> list[_Piece]:
    """The line cut after each sentence end, with source offsets."""
    pieces = []
    for match in _SENTENCE.finditer(line.text):
        if not match.group(0).strip():
            continue
        raw = match.group(0)
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        start = line.start + match.start() + lead
        pieces.append(_Piece(start, start + len(text), text, bool(_ENDS_SENTENCE.search(text))))
    return pieces


def _join(left: str, right: str) -> str:
    if not left:
        return right
    # Chinese lines wrap without a space; Western words need one.
    gap = " " if _ASCII_WORD.match(left[-1]) and _ASCII_WORD.match(right[0]) else ""
    return left + gap + right


def _sentences(paragraph: list[Line]) -> list[_Piece]:
    """Whole sentences of a paragraph, even when they wrap across lines."""
    sentences: list[_Piece] = []
    current: _Piece | None = None
    for line in paragraph:
        for piece in _line_pieces(line):
            if current is None:
                current = piece
            else:
                current = _Piece(current.start, piece.end, _join(current.text, piece.text),
                                 piece.ends_sentence)
            if current.ends_sentence:
                sentences.append(current)
                current = None
    if current is not None:
        sentences.append(current)
    return [part for sentence in sentences for part in _fit(sentence)]


def _fit(sentence: _Piece) -> list[_Piece]:
    """A sentence longer than a chunk, cut at commas or, failing that, at MAX_CHARS."""
    if len(sentence.text) <= MAX_CHARS:
        return [sentence]
    # Offsets inside a joined sentence are only exact where no gap was added; cut by position
    # in the joined text and map back proportionally only when the lengths differ.
    exact = sentence.end - sentence.start == len(sentence.text)
    parts = []
    begin = 0
    text = sentence.text
    while begin < len(text):
        stop = min(len(text), begin + MAX_CHARS)
        if stop < len(text):
            soft = [m.end() for m in _SOFT_BREAK.finditer(text, begin + MIN_CHARS, stop)]
            if soft:
                stop = soft[-1]
        start = sentence.start + begin if exact else sentence.start
        end = sentence.start + stop if exact else sentence.end
        parts.append(_Piece(start, end, text[begin:stop].strip(), stop == len(text)))
        begin = stop
    return [part for part in parts if part.text]


@dataclass
class _Section:
    path: str
    paragraphs: list[list[_Piece]]


def _sections(lines: list[Line]) -> list[_Section]:
    stack: list[tuple[int, str]] = []
    sections = [_Section("", [])]
    paragraph: list[Line] = []

    def close_paragraph() -> None:
        if paragraph:
            sections[-1].paragraphs.append(_sentences(paragraph))
            paragraph.clear()

    for line in lines:
        if line.blank:
            close_paragraph()
            continue
        heading = heading_level(line.text)
        if heading is None:
            paragraph.append(line)
            continue
        close_paragraph()
        level, title = heading
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        sections.append(_Section(" > ".join(title for _, title in stack), []))
    close_paragraph()
    return [section for section in sections if section.paragraphs]


def _pack(section: _Section) -> list[tuple[int, int, str]]:
    """Greedy packing of sentences into chunks, preferring to cut at paragraph ends."""
    chunks: list[tuple[int, int, str]] = []
    start = end = -1
    text = ""
    for paragraph in section.paragraphs:
        if text and len(text) >= TARGET_CHARS:
            chunks.append((start, end, text))
            text = ""
        for sentence in paragraph:
            if text and len(text) + len(sentence.text) > MAX_CHARS:
                chunks.append((start, end, text))
                text = ""
            if not text:
                start, text = sentence.start, sentence.text
            elif end <= sentence.start and paragraph[0] is sentence:
                text = text + "\n" + sentence.text
            else:
                text = _join(text, sentence.text)
            end = sentence.end
    if text:
        chunks.append((start, end, text))

    # A short tail reads better with the chunk before it, if both still fit.
    if len(chunks) >= 2 and len(chunks[-1][2]) < MIN_CHARS:
        last = chunks.pop()
        before = chunks[-1]
        if len(before[2]) + len(last[2]) <= MAX_CHARS + MIN_CHARS:
            chunks[-1] = (before[0], last[1], before[2] + "\n" + last[2])
        else:
            chunks.append(last)
    return chunks


def chunk_text(text: str, pages: list[tuple[int, int]] | None = None) -> list[Chunk]:
    """Clean the text and cut it into ordered chunks with their sections and offsets."""
    chunks: list[Chunk] = []
    for section in _sections(clean_lines(text, pages)):
        for start, end, body in _pack(section):
            chunks.append(Chunk(len(chunks), section.path, body, start, end))
    return chunks
