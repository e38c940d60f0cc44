"""Every score by name, in the order the panel lists them."""

from __future__ import annotations

from engine.scores import (
    add_rs,
    caprini,
    edacs,
    heart,
    killip,
    nyha,
    padua,
    perc,
    timi,
    wells_dvt,
    wells_pe,
)
from engine.scores.base import Score
from engine.scores.errors import UnknownScore

SCORES: dict[str, Score] = {
    module.SCORE.name: module.SCORE
    for module in (heart, edacs, timi, wells_pe, perc, add_rs, wells_dvt, padua, caprini,
                   killip, nyha)
}


def get(name: str) -> Score:
    """The score called `name`, or UnknownScore listing the names there are."""
    try:
        return SCORES[name]
    except (KeyError, TypeError):
        raise UnknownScore(f"score: {name!r} is not a score; choose one of"
                           f" {', '.join(SCORES)}") from None
