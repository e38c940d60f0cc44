"""The result every score returns, shared by the panel, the drafts and the command line.

`ScoreResult.to_dict()` is the JSON contract:

    {"score", "version", "total", "band", "complete", "range": [lowest, highest],
     "missing": [...], "items": [{"input", "points", "basis"}],
     "questions": [{"input", "text"}], "citation"}

plus the keys a score adds of its own (`two_tier` for wells_pe, `advised` for add_rs,
`edacs_adp` for edacs), always present for that score and null when they cannot be said.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True, slots=True)
class Item:
    """The points one input contributed, and why (in Chinese, for the doctor)."""

    input: str
    points: float
    basis: str


@dataclass(frozen=True, slots=True)
class Question:
    """What to ask the doctor so that a missing input can be filled in."""

    input: str
    text: str


class ScoreResult(BaseModel):
    """A score's answer: complete, or partial with the range the missing inputs allow."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    score: str
    version: str
    total: float
    band: str | None
    complete: bool
    range: tuple[float, float]
    missing: tuple[str, ...]
    items: tuple[Item, ...]
    questions: tuple[Question, ...]
    citation: str
    extras: dict[str, Any] = {}

    def to_dict(self) -> dict[str, Any]:
        """The result as the JSON contract above (whole numbers stay whole)."""
        out: dict[str, Any] = {
            "score": self.score,
            "version": self.version,
            "total": tidy(self.total),
            "band": self.band,
            "complete": self.complete,
            "range": [tidy(self.range[0]), tidy(self.range[1])],
            "missing": list(self.missing),
            "items": [{"input": item.input, "points": tidy(item.points), "basis": item.basis}
                      for item in self.items],
            "questions": [{"input": q.input, "text": q.text} for q in self.questions],
            "citation": self.citation,
        }
        out.update(self.extras)
        return out


def tidy(number: float) -> float:
    """3.0 becomes 3, so totals read as they are published (Wells keeps its halves)."""
    return int(number) if float(number).is_integer() else number
