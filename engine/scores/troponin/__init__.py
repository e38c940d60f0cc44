"""ESC 2020 hs-troponin 0h/1h and 0h/2h algorithms: verdicts and the next draw due.

    evaluate("roche_hs_ctnt", "0h1h", [(t0, 7.0)], onset=None, now=t0) -> TroponinResult
    first_repeat_due("0h1h", t0) -> t0 + 1 h   (the reminder before any value is back)
    assays() -> ["roche_hs_ctnt", "abbott_architect_hs_ctni", ...]

Values are in ng/L. Every time is passed in, `now` included, so the answer is the same on every
run. The rules and the choices made where the guideline is silent are in `algorithm.py`; the
cut-offs and their source in `assays.py`.
"""

from __future__ import annotations

from datetime import datetime

from engine.scores.troponin.algorithm import evaluate, find_assay, second_interval
from engine.scores.troponin.assays import ASSAYS, CITATION, PROTOCOLS
from engine.scores.troponin.result import Draw, TroponinResult, Verdict

__all__ = [
    "CITATION",
    "Draw",
    "TroponinResult",
    "Verdict",
    "assay_label",
    "assays",
    "evaluate",
    "first_repeat_due",
    "protocols",
    "validated_protocols",
]


def first_repeat_due(protocol: str, first_draw_at: datetime) -> datetime:
    """When the protocol's second sample is due, from the time of the 0h draw."""
    return first_draw_at + second_interval(protocol)


def assays() -> list[str]:
    """Every assay id, the ones without validated cut-offs included."""
    return list(ASSAYS)


def protocols() -> list[str]:
    return list(PROTOCOLS)


def assay_label(assay_id: str) -> str:
    return find_assay(assay_id).label


def validated_protocols(assay_id: str) -> list[str]:
    """The protocols Table 5 gives this assay cut-offs for (empty: "not validated")."""
    return [protocol for protocol in PROTOCOLS if find_assay(assay_id).validated(protocol)]
