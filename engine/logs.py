"""Logging set-up: a rotating file in the data folder, and stderr for the command line.

Logs hold no patient text, API keys or prompts at INFO and above. `RedactingFilter` on each of
our handlers rewrites such records before any handler sees them: keys (`Bearer ...`, `sk-...`,
`api_key=...`) at every level; at INFO and above also Chinese text (patient words are Chinese;
our own messages are English, so Chinese in a record is taken for patient text), the contents of
JSON fields that carry prompts or texts, and anything past `MAX_MESSAGE_CHARS`. The log file's
formatter applies the same rules to DEBUG lines too, since that file stays on the workstation.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from engine.home import sub_folder

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_MESSAGE_CHARS = 1000

_SECRETS = (
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{4,}"), r"\1 [key redacted]"),
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\n]+"), r"\1[key redacted]"),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{6,}"), "sk-[key redacted]"),
    (re.compile(r"(?i)\b(api[_-]?key|token|secret|password)(['\"]?\s*[=:]\s*['\"]?)"
                r"[^\s'\",;&]+"), r"\1\2[key redacted]"),
)
# CJK ideographs, their punctuation and full-width forms; one span from the first to the last on
# a line, so digits and Latin words between Chinese words go too ("胸痛3小时 HR 110 冷汗").
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_PATIENT_TEXT = re.compile(rf"[{_CJK}](?:[^\n]*[{_CJK}])?")
# The same text escaped: JSON's \uXXXX (ensure_ascii) and the repr of UTF-8 bytes (\xNN).
_ESCAPE = r"(?:\\u[3-9a-fA-F][0-9a-fA-F]{3}|(?:\\x[89a-fA-F][0-9a-fA-F]){2,})"
_ESCAPED_TEXT = re.compile(rf"{_ESCAPE}(?:[^\n]*{_ESCAPE})?")
_TEXT_FIELDS = re.compile(
    r"""(?i)(["']?(?:content|prompt|messages|text|input|dictation|typed_text|draft)["']?"""
    r"""\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
)


def redact(text: str, *, patient_text: bool = True) -> str:
    """Text with keys removed and, unless `patient_text` is False, patient text and prompts."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    if not patient_text:
        return text

    text = _TEXT_FIELDS.sub(lambda found: f'{found.group(1)}"[text redacted]"', text)
    text = _ESCAPED_TEXT.sub("[text redacted]", text)
    text = _PATIENT_TEXT.sub(lambda found: f"[text redacted: {len(found.group())} chars]", text)
    if len(text) > MAX_MESSAGE_CHARS:
        text = f"{text[:MAX_MESSAGE_CHARS]} [... {len(text) - MAX_MESSAGE_CHARS} chars cut]"
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record so that it carries no keys, and from `min_level` up no patient
    text or prompts. It never drops a record."""

    def __init__(self, min_level: int = logging.INFO) -> None:
        super().__init__()
        self.min_level = min_level

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_sentinel_redacted", False):
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed call: logging's own error handler reports it
        patient_text = record.levelno >= self.min_level
        record.msg = redact(message, patient_text=patient_text)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, patient_text=patient_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, patient_text=patient_text)
        record._sentinel_redacted = patient_text
        return True


class RedactingFormatter(logging.Formatter):
    """A formatter whose every line, DEBUG included, is redacted (for files at rest)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(verbosity: int = 0, folder: Path | None = None) -> Path:
    """Send records to `logs/sentinel.log` (rotating) and warnings or more to stderr."""
    folder = sub_folder("logs") if folder is None else folder
    log_file = folder / "sentinel.log"
    root = logging.getLogger()
    if any(getattr(h, "_sentinel", False) for h in root.handlers):
        return log_file

    to_file = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    to_file.setFormatter(RedactingFormatter(LOG_FORMAT))
    to_file.setLevel(logging.DEBUG)
    to_stderr = logging.StreamHandler()
    to_stderr.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    to_stderr.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))
    handlers: list[logging.Handler] = [to_file, to_stderr]
    for handler in handlers:
        handler.addFilter(RedactingFilter())
        handler._sentinel = True  # type: ignore[attr-defined]  # set up once per process
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return log_file
