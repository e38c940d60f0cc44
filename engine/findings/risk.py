"""The risk level (风险等级: 低危 / 中危 / 高危) from the scores and the red flags.

The rule, in order:

1. 高危 when any red flag of level "high" is raised, or when a score is in its high band even
   at the lowest total its missing inputs allow.
2. 低危 when no red flag at all is raised, at least one score ran, and every score is in its
   low band even at the highest total its missing inputs allow. So a chest pain whose ECG and
   troponin are not yet known is never 低危: HEART could still be high.
3. 中危 otherwise.

Each score's bands are sorted into the three levels below (a band the table does not know
counts as 中危, neither reassuring nor alarming).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from engine.findings.redflags import RaisedFlag
from engine.scores import ScoreResult, registry

LOW, MODERATE, HIGH = "低危", "中危", "高危"

BAND_LEVELS: dict[str, dict[str, str]] = {
    "heart": {"low": LOW, "moderate": MODERATE, "high": HIGH},
    "edacs": {"low": LOW, "not_low": MODERATE},
    "timi": {"low": LOW, "intermediate": MODERATE, "high": HIGH},
    "wells_pe": {"low": LOW, "moderate": MODERATE, "high": HIGH},
    "perc": {"negative": LOW, "positive": MODERATE},
    "add_rs": {"low": LOW, "intermediate": MODERATE, "high": HIGH},
    "wells_dvt": {"unlikely": LOW, "likely": MODERATE},
    "padua": {"low": LOW, "high": MODERATE},
    "caprini": {"very_low": LOW, "low": LOW, "moderate": MODERATE, "high": MODERATE},
    "killip": {"I": LOW, "II": MODERATE, "III": HIGH, "IV": HIGH},
    "nyha": {"I": LOW, "II": MODERATE, "III": MODERATE, "IV": HIGH},
}


def band_level(score: str, band: str | None) -> str:
    if band is None:
        return MODERATE
    return BAND_LEVELS.get(score, {}).get(band, MODERATE)


def level_range(result: ScoreResult) -> tuple[str, str]:
    """The levels at the lowest and at the highest total the result allows."""
    band_of = registry.get(result.score).band
    low, high = result.range
    return band_level(result.score, band_of(low)), band_level(result.score, band_of(high))


def risk_level(results: Mapping[str, ScoreResult], flags: Iterable[RaisedFlag]) -> str | None:
    """The level by the rule above; None when there is nothing to judge by."""
    flags = list(flags)
    ranges = [level_range(result) for result in results.values()]
    if any(flag.level == "high" for flag in flags) or any(low == HIGH for low, _ in ranges):
        return HIGH
    if not ranges and not flags:
        return None
    if not flags and ranges and all(high == LOW for _, high in ranges):
        return LOW
    return MODERATE
