"""The ESC 0h/1h and 0h/2h hs-troponin algorithms over a patient's draws, at a given time.

The rules (ESC 2020 NSTE-ACS guideline, Table 5 and its algorithm figures), with A-E the
assay's cut-offs for the protocol (see `assays.py`) and delta the absolute change from the 0h
value to the 1h (or 2h) value:
- rule in: 0h >= high, or delta >= delta cut-off;
- rule out: 0h < very low when chest pain began more than 3 h before the 0h draw, or
  0h < low with delta < no-delta cut-off;
- observe: everything else; a third sample is due 3 h after the 0h draw.

Choices of ours, not the guideline's:
- A draw counts as the 1h (2h) sample when taken within 15 minutes of that time; other draws
  are "unscheduled" and never enter a delta. Once that window has passed without a sample the
  patient is handled as in the observe zone (third sample at 3 h). The 3 h sample is any draw
  from 2 h 45 min on.
- A rise that meets the delta rule-in wins over a very-low 0h rule-out: newer blood counts.
- The algorithm has no cut-offs for the 3 h sample; with it in, the verdict stays "observe" and
  the message hands the decision to the doctor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.scores.errors import TroponinInputError
from engine.scores.model import tidy
from engine.scores.troponin.assays import ASSAYS, CITATION, PROTOCOLS, Assay, Cutoffs
from engine.scores.troponin.result import Draw, Role, TroponinResult, Verdict

SLOT_TOLERANCE = timedelta(minutes=15)
THIRD_SAMPLE_AFTER = timedelta(hours=3)
# Very-low 0h rule-out needs chest pain that began more than this long before the 0h draw.
ONSET_BEFORE_RULE_OUT = timedelta(hours=3)
HIGHEST_VALUE = 1_000_000  # ng/L; anything above is a unit mistake (ug/L, pg/mL mixed up)


@dataclass(frozen=True)
class _Case:
    """Everything the rules look at, worked out once."""

    assay: Assay
    protocol: str
    cut: Cutoffs
    draws: tuple[Draw, ...]
    onset: datetime | None
    now: datetime

    @property
    def first(self) -> Draw:
        return self.draws[0]

    @property
    def second(self) -> Draw | None:
        return next((d for d in self.draws if d.role in ("1h", "2h")), None)

    @property
    def third(self) -> Draw | None:
        return next((d for d in self.draws if d.role == "3h"), None)

    @property
    def second_due(self) -> datetime:
        return self.first.at + PROTOCOLS[self.protocol]

    @property
    def third_due(self) -> datetime:
        return self.first.at + THIRD_SAMPLE_AFTER


def find_assay(assay_id: str) -> Assay:
    if assay_id not in ASSAYS:
        raise TroponinInputError(f"assay: {assay_id!r} is not a known assay; choose one of"
                                 f" {', '.join(ASSAYS)}")
    return ASSAYS[assay_id]


def second_interval(protocol: str) -> timedelta:
    if protocol not in PROTOCOLS:
        raise TroponinInputError(f"protocol: {protocol!r} is not one of {', '.join(PROTOCOLS)}")
    return PROTOCOLS[protocol]


def evaluate(assay: str, protocol: str, draws: Sequence[tuple[datetime, float]],
             onset: datetime | None, now: datetime) -> TroponinResult:
    """The verdict and the next draw due, for draws in ng/L, as seen at `now`."""
    chosen = find_assay(assay)
    second_interval(protocol)
    ordered = _checked_draws(draws, onset, now)
    cut = chosen.validated(protocol)

    if cut is None:
        return _not_validated(chosen, protocol, ordered)
    if not ordered:
        return _answer(chosen, protocol, None, (), "pending", "no_draws", now, False,
                       f"请立即抽取 0h {chosen.marker}")
    case = _Case(chosen, protocol, cut, _with_roles(ordered, protocol), onset, now)
    return _decide(case)


def _decide(case: _Case) -> TroponinResult:
    cut, first, second = case.cut, case.first, case.second
    label = _delta_label(case.protocol)
    if first.value >= cut.high:
        return _final(case, "rule_in", "high_0h",
                      f"0h {case.assay.marker} {_n(first.value)} ng/L ≥{_n(cut.high)}："
                      f"ESC {case.protocol} 算法提示 NSTEMI（rule-in），请结合临床处理")

    delta = abs(second.value - first.value) if second else None
    if delta is not None and delta >= cut.delta:
        return _final(case, "rule_in", "delta",
                      f"{label} {_n(delta)} ng/L ≥{_n(cut.delta)}：ESC {case.protocol} 算法"
                      f"提示 NSTEMI（rule-in），请结合临床处理")
    if first.value < cut.very_low and _onset_long_enough(case):
        return _final(case, "rule_out", "very_low_0h",
                      f"0h {case.assay.marker} {_n(first.value)} ng/L <{_n(cut.very_low)}"
                      f" 且胸痛发作 >3 h：可排除 NSTEMI（rule-out），请结合临床与心电图")
    if delta is not None and first.value < cut.low and delta < cut.no_delta:
        return _final(case, "rule_out", "low_0h_no_delta",
                      f"0h {_n(first.value)} ng/L <{_n(cut.low)} 且 {label} {_n(delta)} ng/L"
                      f" <{_n(cut.no_delta)}：可排除 NSTEMI（rule-out），请结合临床与心电图")
    if delta is not None:
        return _observe(case, "observe_zone", f"{label} {_n(delta)} ng/L，处于观察区")
    return _awaiting_second(case)


def _awaiting_second(case: _Case) -> TroponinResult:
    due = case.second_due
    if case.now > due + SLOT_TOLERANCE:
        return _observe(case, "second_window_missed",
                        f"未在 {_clock(due, case.now)}±15 分钟内复查，Δ 界值不适用")

    note = ""
    if case.first.value < case.cut.very_low:
        note = "（0h 值极低，但胸痛发作 ≤3 h 或时间不明，单次不能排除）"
    return _answer(case.assay, case.protocol, case.cut, case.draws, "pending",
                   "awaiting_second", due, case.now > due,
                   f"请于 {_clock(due, case.now)} 复查 {case.assay.marker}{note}")


def _observe(case: _Case, reason: str, why: str) -> TroponinResult:
    third = case.third
    if third is not None:
        change = abs(third.value - case.first.value)
        return _answer(case.assay, case.protocol, case.cut, case.draws, "observe",
                       "third_sample_in", None, False,
                       f"{why}；3 h 值 {_n(third.value)} ng/L（较 0h 变化 {_n(change)} ng/L）："
                       f"ESC 表 5 无 3 h 界值，请结合临床、心电图与超声心动图判断")

    due = case.third_due
    return _answer(case.assay, case.protocol, case.cut, case.draws, "observe", reason, due,
                   case.now > due,
                   f"{why}：请于 {_clock(due, case.now)} 第三次复查 {case.assay.marker}（3 h），"
                   f"并考虑超声心动图")


def _final(case: _Case, verdict: Verdict, reason: str, message: str) -> TroponinResult:
    return _answer(case.assay, case.protocol, case.cut, case.draws, verdict, reason, None, False,
                   message)


def _not_validated(chosen: Assay, protocol: str, draws: Sequence[tuple[datetime, float]]
                   ) -> TroponinResult:
    unscheduled = tuple(Draw(at=at, value=value, role="unscheduled") for at, value in draws)
    return _answer(chosen, protocol, None, unscheduled, "not_validated", "not_validated", None,
                   False, f"{chosen.label} 在 ESC 2020 表 5 中无 {protocol} 验证界值，"
                   f"不能使用本算法：请按本院流程（如 0h/3h 与 99 百分位上限）判断")


def _answer(chosen: Assay, protocol: str, cut: Cutoffs | None, draws: tuple[Draw, ...],
            verdict: Verdict, reason: str, next_draw_at: datetime | None, overdue: bool,
            message: str) -> TroponinResult:
    first = draws[0] if draws and draws[0].role == "0h" else None
    second = next((d for d in draws if d.role in ("1h", "2h")), None)
    delta = abs(second.value - first.value) if first and second else None
    return TroponinResult(
        assay=chosen.id, assay_label=chosen.label, protocol=protocol, verdict=verdict,
        reason=reason, next_draw_at=next_draw_at, overdue=overdue, message=message,
        delta=delta, draws=draws,
        cutoffs=None if cut is None else {
            "very_low": cut.very_low, "low": cut.low, "no_delta": cut.no_delta,
            "high": cut.high, "delta": cut.delta,
        },
        citation=CITATION,
    )


def _checked_draws(draws: Sequence[tuple[datetime, float]], onset: datetime | None,
                   now: datetime) -> list[tuple[datetime, float]]:
    """The draws in time order, after checking every value and time against the others."""
    if not isinstance(now, datetime):
        raise TroponinInputError(f"now: expected a date and time, got {now!r}")
    if onset is not None and not isinstance(onset, datetime):
        raise TroponinInputError(f"onset: expected a date and time, got {onset!r}")
    checked = [_checked_draw(index, draw) for index, draw in enumerate(draws)]
    _same_kind_of_time(now, onset, [at for at, _ in checked])

    ordered = sorted(checked, key=lambda draw: draw[0])
    for (earlier, _), (later, _) in itertools.pairwise(ordered):
        if earlier == later:
            raise TroponinInputError(f"draws: two draws at {later.isoformat()}; give each once")
    if ordered and ordered[-1][0] > now:
        raise TroponinInputError(f"draws: the draw at {ordered[-1][0].isoformat()} is later"
                                 f" than now ({now.isoformat()}); check the times or --now")
    if onset is not None and onset > now:
        raise TroponinInputError(f"onset: {onset.isoformat()} is later than now")
    if onset is not None and ordered and onset > ordered[0][0]:
        raise TroponinInputError(f"onset: {onset.isoformat()} is after the first draw")
    return ordered


def _checked_draw(index: int, draw: object) -> tuple[datetime, float]:
    if not isinstance(draw, tuple) or len(draw) != 2:
        raise TroponinInputError(f"draws[{index}]: expected (time, value in ng/L)")
    at, value = draw
    if not isinstance(at, datetime):
        raise TroponinInputError(f"draws[{index}]: expected a date and time, got {at!r}")
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise TroponinInputError(f"draws[{index}]: value must be a number of ng/L, got {value!r}")
    if not 0 <= value <= HIGHEST_VALUE:
        shown = value if abs(value) < 10**15 else "a number too large to be real"
        raise TroponinInputError(f"draws[{index}]: {shown} ng/L is outside 0-{HIGHEST_VALUE};"
                                 f" check the unit (ng/L)")
    return at, float(value)


def _same_kind_of_time(now: datetime, onset: datetime | None, times: list[datetime]) -> None:
    # Python cannot compare times with and without a zone; say so before it does.
    everything = [now, *times] + ([onset] if onset is not None else [])
    if len({moment.tzinfo is None for moment in everything}) > 1:
        raise TroponinInputError("draws, onset and now mix times with and without a time zone;"
                                 " give them all the same way")


def _with_roles(draws: list[tuple[datetime, float]], protocol: str) -> tuple[Draw, ...]:
    first_at = draws[0][0]
    second_role: Role = "1h" if protocol == "0h1h" else "2h"
    second_at = first_at + PROTOCOLS[protocol]
    roles: list[Draw] = [Draw(at=first_at, value=draws[0][1], role="0h")]
    for at, value in draws[1:]:
        taken = {draw.role for draw in roles}
        if second_role not in taken and abs(at - second_at) <= SLOT_TOLERANCE:
            role: Role = second_role
        elif "3h" not in taken and at >= first_at + THIRD_SAMPLE_AFTER - SLOT_TOLERANCE:
            role = "3h"
        else:
            role = "unscheduled"
        roles.append(Draw(at=at, value=value, role=role))
    return tuple(roles)


def _onset_long_enough(case: _Case) -> bool:
    return case.onset is not None and case.first.at - case.onset > ONSET_BEFORE_RULE_OUT


def _delta_label(protocol: str) -> str:
    return "Δ1h" if protocol == "0h1h" else "Δ2h"


def _clock(moment: datetime, now: datetime) -> str:
    """14:35, or 3月5日 14:35 when it falls on another day than now."""
    if moment.date() == now.date():
        return f"{moment:%H:%M}"
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def _n(value: float) -> str:
    return str(tidy(round(value, 2)))
