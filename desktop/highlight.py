"""The words behind each finding, highlighted in the input text.

The engine's evidence spans are half-open ranges of Python code points; Qt's text positions are
UTF-16 code units (an emoji or a rare CJK character outside the BMP counts twice), so spans are
converted before they are drawn. Spans past the end of the doctor's text belong to the
structured fields' sentence (see desktop.inputs) and are not drawn in the text box.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

Span = tuple[int, int]


def utf16_spans(text: str, spans: Iterable[Sequence[int]]) -> list[Span]:
    """Code-point spans of `text` as UTF-16 spans, clipped to the text; empty ones dropped."""
    offsets = [0]
    for char in text:
        offsets.append(offsets[-1] + (2 if ord(char) > 0xFFFF else 1))
    converted = []
    for span in spans:
        if len(span) != 2:
            continue
        start, end = max(0, int(span[0])), min(len(text), int(span[1]))
        if start < end:
            converted.append((offsets[start], offsets[end]))
    return converted


def evidence_spans(evidence: Mapping[str, Iterable[Sequence[int]]] | None, text: str,
                   keys: Iterable[str] | None = None) -> list[Span]:
    """The UTF-16 spans of the given evidence keys (all keys when None) inside `text`."""
    if not evidence:
        return []
    wanted = evidence.keys() if keys is None else keys
    found: list[Span] = []
    for key in wanted:
        found += utf16_spans(text, evidence.get(key) or [])
    return sorted(set(found))


class EvidenceHighlighter(QSyntaxHighlighter):
    """Underlines every supported word; paints the chosen finding's words yellow."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._all: list[Span] = []
        self._chosen: list[Span] = []
        self._underline = QTextCharFormat()
        self._underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        self._underline.setUnderlineColor(QColor("#1565c0"))
        self._underline.setBackground(QColor("#eef5fd"))
        self._marked = QTextCharFormat()
        self._marked.setBackground(QColor("#ffe066"))
        self._marked.setFontWeight(600)

    @property
    def chosen(self) -> list[Span]:
        return list(self._chosen)

    @property
    def spans(self) -> list[Span]:
        return list(self._all)

    def set_spans(self, all_spans: list[Span], chosen: list[Span] | None = None) -> None:
        if all_spans == self._all and (chosen or []) == self._chosen:
            return
        self._all, self._chosen = list(all_spans), list(chosen or [])
        self.rehighlight()

    def clear(self) -> None:
        self.set_spans([], [])

    def highlightBlock(self, text: str) -> None:
        block = self.currentBlock()
        start, end = block.position(), block.position() + block.length()
        for spans, style in ((self._all, self._underline), (self._chosen, self._marked)):
            for span_start, span_end in spans:
                if span_end <= start or span_start >= end:
                    continue
                first = max(span_start, start) - start
                self.setFormat(first, min(span_end, end) - start - first, style)
