"""Text out of the files departments keep: Markdown, plain text, HTML, DOCX and PDF.

Each reader returns the document's text and where its pages lie. For Markdown and plain text
that text is the file itself, so chunk offsets point into the file; for the other formats it is
the extracted text (headings written as Markdown `#` lines), which the offsets point into.
A file that cannot be read raises a `DocumentError` naming the file and the reason.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import EmptyDocument, UnreadableDocument, UnsupportedFormat

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
# Binary junk: control characters other than tab, newline, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HTML_DROP = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form")
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


@dataclass(frozen=True)
class SourceText:
    """A document's text, its title and the character span of each page (paged formats)."""

    text: str
    title: str
    kind: str
    pages: list[tuple[int, int]] = field(default_factory=list)


def kind_of(path: Path, head: bytes) -> str:
    """The reader for a file: from its content where that is unmistakable, else its suffix."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04") and suffix == ".docx":
        return "docx"
    by_suffix = {
        ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text",
        ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf",
    }
    if suffix in by_suffix:
        return by_suffix[suffix]
    raise UnsupportedFormat(
        str(path), f"unsupported file type {suffix or '(none)'}; "
        "import .md, .txt, .html, .docx or .pdf"
    )


def read_source(path: Path, data: bytes) -> SourceText:
    """The text of one file, or a DocumentError saying why there is none."""
    name = str(path)
    if not data.strip():
        raise EmptyDocument(name, "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableDocument(name, f"{len(data)} bytes, more than {MAX_FILE_BYTES}; split it")
    kind = kind_of(path, data[:8])
    reader = _READERS[kind]
    source = reader(name, data)
    if not source.text.strip():
        raise EmptyDocument(name, "no text could be extracted (a scanned PDF needs OCR first)")
    return source


def decode_text(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030, which hospital systems often still write."""
    sample = data[:65536]
    if b"\x00" in sample:
        raise UnreadableDocument(name, "binary data (NUL bytes), not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = len(_CONTROL.findall(text[:65536]))
        if controls > max(2, len(text[:65536]) // 200):
            raise UnreadableDocument(name, "binary data (control characters), not text")
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise UnreadableDocument(name, "not UTF-8 or GB18030 text; save it as UTF-8")


def _first_heading(text: str) -> str:
    for line in text.splitlines():
        match = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
        if match:
            return match.group(1)
        if line.strip():
            return line.strip()[:60]
    return ""


def _read_markdown(name: str, data: bytes) -> SourceText:
    text = decode_text(name, data)
    return SourceText(text, _first_heading(text), "markdown")


def _read_text(name: str, data: bytes) -> SourceText:
    text = decode_text(name, data)
    return SourceText(text, _first_heading(text), "text")


def _read_html(name: str, data: bytes) -> SourceText:
    from bs4 import BeautifulSoup

    markup = decode_text(name, data)
    soup = BeautifulSoup(markup, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else ""
    for tag in soup(list(_HTML_DROP)):
        tag.decompose()
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            heading.replace_with(f"\n{'#' * level} {heading.get_text(' ', strip=True)}\n")
    body = soup.body or soup
    lines = [line.strip() for line in body.get_text("\n").splitlines()]
    text = _squeeze_blank_lines(lines)
    return SourceText(text, title or _first_heading(text), "html")


def _read_docx(name: str, data: bytes) -> SourceText:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types on corrupt files
        raise UnreadableDocument(name, f"not a readable DOCX file ({exc})") from None

    lines: list[str] = []
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        match = _HEADING_STYLE.match(style or "")
        text = paragraph.text.strip()
        if match and text:
            lines.extend(["", f"{'#' * int(match.group(1))} {text}", ""])
        else:
            lines.append(text)
    for table in document.tables:
        lines.append("")
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    text = _squeeze_blank_lines(lines)
    title = document.core_properties.title or _first_heading(text)
    return SourceText(text, title, "docx")


def _read_pdf(name: str, data: bytes) -> SourceText:
    from pypdf import PdfReader

    pages_text: list[str] = []
    try:
        with warnings.catch_warnings():
            # pypdf warns about every small defect it repairs; the text is what matters.
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnreadableDocument(name, "the PDF is password-protected")
            for page in reader.pages:
                pages_text.append(page.extract_text() or "")
            title = (reader.metadata.title if reader.metadata else None) or ""
    except UnreadableDocument:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on corrupt files
        raise UnreadableDocument(name, f"not a readable PDF ({type(exc).__name__}: {exc})") \
            from None

    text_parts: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for page_text in pages_text:
        page_text = page_text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
        spans.append((position, position + len(page_text)))
        text_parts.append(page_text)
        position += len(page_text) + 2
    text = "\n\n".join(text_parts)
    return SourceText(text, str(title) or _first_heading(text), "pdf", spans)


def _squeeze_blank_lines(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


_READERS: dict[str, Callable[[str, bytes], SourceText]] = {
    "markdown": _read_markdown,
    "text": _read_text,
    "html": _read_html,
    "docx": _read_docx,
    "pdf": _read_pdf,
}

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".text", ".html", ".htm", ".docx", ".pdf")
