"""Fixtures of the storage tests: an injected clock, and journals that are always closed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.storage import CaseJournal, DiskFull
from tests.storage.helpers import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def open_journal(sentinel_home: Path, clock: Clock) -> Iterator[Callable[..., CaseJournal]]:
    """Open journals on the test's data folder; each is closed at the end of the test."""
    opened: list[CaseJournal] = []

    def factory(**options: Any) -> CaseJournal:
        options.setdefault("clock", clock)
        options.setdefault("retention_hours", 24)
        journal = CaseJournal.open(sentinel_home, **options)
        opened.append(journal)
        return journal

    yield factory
    for journal in opened:
        with contextlib.suppress(DiskFull):
            journal.close()
