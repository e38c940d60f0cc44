"""Logging set-up: a rotating file in the data folder, and stderr for the command line."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from engine.home import sub_folder

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
    to_file.setFormatter(logging.Formatter(LOG_FORMAT))
    to_file.setLevel(logging.DEBUG)
    to_stderr = logging.StreamHandler()
    to_stderr.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    to_stderr.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))
    for handler in (to_file, to_stderr):
        handler._sentinel = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return log_file
