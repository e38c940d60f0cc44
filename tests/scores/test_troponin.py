"""The ESC 0h/1h and 0h/2h hs-troponin algorithms, with an injected clock throughout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.scores import TroponinInputError, troponin
from engine.scores.troponin.assays import ASSAYS, Cutoffs

T0 = datetime(2025, 3, 5, 13, 35)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)

# ESC 2020 NSTE-ACS Table 5, copied by hand: (very low, low, no delta, high, delta), ng/L.
# Pinned here so that an accidental edit of the table fails a test.
TABLE_5 = {
    ("roche_hs_ctnt", "0h1h"): (5, 12, 3, 52, 5),
    ("abbott_architect_hs_ctni", "0h1h"): (4, 5, 2, 64, 6),
    ("siemens_centaur_hs_ctni", "0h1h"): (3, 6, 3, 120, 12),
    ("beckman_access_hs_ctni", "0h1h"): (4, 5, 4, 50, 15),
    ("singulex_clarity_hs_ctni", "0h1h"): (1, 2, 1, 30, 6),
    ("ortho_vitros_hs_ctni", "0h1h"): (1, 2, 1, 40, 4),
    ("lsi_pathfast_hs_ctni", "0h1h"): (3, 4, 3, 90, 20),
    ("quidel_triagetrue_hs_ctni", "0h1h"): (4, 5, 3, 60, 8),
    ("roche_hs_ctnt", "0h2h"): (5, 14, 4, 52, 10),
    ("abbott_architect_hs_ctni", "0h2h"): (4, 6, 2, 64, 15),
    ("siemens_centaur_hs_ctni", "0h2h"): (3, 8, 7, 120, 20),
    ("beckman_access_hs_ctni", "0h2h"): (4, 5, 5, 50, 20),
}
VALIDATED = sorted(TABLE_5)
INTERVAL = {"0h1h": HOUR, "0h2h": 2 * HOUR}


def cut_of(assay: str, protocol: str) -> Cutoffs:
    cut = ASSAYS[assay].validated(protocol)
    assert cut is not None
    return cut


def second(assay: str, protocol: str, v0: float, v1: float) -> troponin.TroponinResult:
    at = T0 + INTERVAL[protocol]
    return troponin.evaluate(assay, protocol, [(T0, v0), (at, v1)], None, at)


def test_the_table_is_table_5() -> None:
    for (assay, protocol), row in TABLE_5.items():
        cut = cut_of(assay, protocol)
        assert (cut.very_low, cut.low, cut.no_delta, cut.high, cut.delta) == row
    validated = {(a, p) for a in troponin.assays() for p in troponin.validated_protocols(a)}
    assert validated == set(TABLE_5)


def test_the_required_assays_are_there() -> None:
    assert {"roche_hs_ctnt", "abbott_architect_hs_ctni", "siemens_centaur_hs_ctni",
            "beckman_access_hs_ctni"} <= set(troponin.assays())


@pytest.mark.parametrize(("assay", "protocol"), VALIDATED)
def test_high_0h_rules_in_at_the_cut_off_not_below(assay: str, protocol: str) -> None:
    cut = cut_of(assay, protocol)
    at_cut = troponin.evaluate(assay, protocol, [(T0, cut.high)], None, T0)
    assert (at_cut.verdict, at_cut.reason, at_cut.next_draw_at) == ("rule_in", "high_0h", None)
    below = troponin.evaluate(assay, protocol, [(T0, cut.high - 0.5)], None, T0)
    assert (below.verdict, below.next_draw_at) == ("pending", T0 + INTERVAL[protocol])


@pytest.mark.parametrize(("assay", "protocol"), VALIDATED)
def test_very_low_0h_rules_out_only_after_three_hours_of_pain(assay: str, protocol: str) -> None:
    cut = cut_of(assay, protocol)
    very_low = [(T0, cut.very_low - 0.5)]

    late = troponin.evaluate(assay, protocol, very_low, T0 - 3 * HOUR - MINUTE, T0)
    assert (late.verdict, late.reason, late.next_draw_at) == ("rule_out", "very_low_0h", None)
    for onset in (T0 - 3 * HOUR, T0 - HOUR, None):
        early = troponin.evaluate(assay, protocol, very_low, onset, T0)
        assert (early.verdict, early.next_draw_at) == ("pending", T0 + INTERVAL[protocol])
    at_cut = troponin.evaluate(assay, protocol, [(T0, cut.very_low)], T0 - 5 * HOUR, T0)
    assert at_cut.verdict == "pending"


@pytest.mark.parametrize(("assay", "protocol"), VALIDATED)
def test_low_0h_and_small_change_rules_out(assay: str, protocol: str) -> None:
    cut = cut_of(assay, protocol)
    v0 = cut.low - 0.5
    result = second(assay, protocol, v0, v0 + cut.no_delta - 0.5)
    assert (result.verdict, result.reason, result.next_draw_at) == (
        "rule_out", "low_0h_no_delta", None)
    assert result.delta == cut.no_delta - 0.5


@pytest.mark.parametrize(("assay", "protocol"), VALIDATED)
def test_change_at_the_no_delta_cut_off_is_observe(assay: str, protocol: str) -> None:
    cut = cut_of(assay, protocol)
    v0 = cut.low - 0.5
    result = second(assay, protocol, v0, v0 + cut.no_delta)
    assert (result.verdict, result.reason) == ("observe", "observe_zone")
    assert result.next_draw_at == T0 + 3 * HOUR


@pytest.mark.parametrize(("assay", "protocol"), VALIDATED)
def test_0h_at_the_low_cut_off_is_observe(assay: str, protocol: str) -> None:
    cut = cut_of(assay, protocol)
    result = second(assay, protocol, cut.low, cut.low)
    assert (result.verdict, result.delta) == ("observe", 0)


@pytest.mark.parametrize(("assay", "protocol"), VALIDATED)
def test_change_at_the_delta_cut_off_rules_in_rising_or_falling(assay: str, protocol: str
                                                                ) -> None:
    cut = cut_of(assay, protocol)
    v0 = cut.low
    rising = second(assay, protocol, v0, v0 + cut.delta)
    assert (rising.verdict, rising.reason) == ("rule_in", "delta")
    falling = second(assay, protocol, v0 + cut.delta, v0)
    assert (falling.verdict, falling.reason) == ("rule_in", "delta")
    just_below = second(assay, protocol, v0, v0 + cut.delta - 0.5)
    assert just_below.verdict == "observe"


def test_a_rise_wins_over_a_very_low_0h() -> None:
    draws = [(T0, 3.0), (T0 + HOUR, 9.0)]
    result = troponin.evaluate("roche_hs_ctnt", "0h1h", draws, T0 - 6 * HOUR, T0 + HOUR)
    assert (result.verdict, result.reason) == ("rule_in", "delta")


def test_observe_zone_gets_a_third_sample_at_three_hours() -> None:
    draws = [(T0, 20.0), (T0 + HOUR, 22.0)]
    waiting = troponin.evaluate("roche_hs_ctnt", "0h1h", draws, None, T0 + HOUR)
    assert (waiting.verdict, waiting.next_draw_at, waiting.overdue) == (
        "observe", datetime(2025, 3, 5, 16, 35), False)
    assert "请于 16:35 第三次复查 hs-cTnT（3 h）" in waiting.message

    late = troponin.evaluate("roche_hs_ctnt", "0h1h", draws, None, T0 + 3 * HOUR + MINUTE)
    assert late.overdue is True

    with_third = [*draws, (T0 + 3 * HOUR, 30.0)]
    done = troponin.evaluate("roche_hs_ctnt", "0h1h", with_third, None, T0 + 3 * HOUR)
    assert (done.verdict, done.reason, done.next_draw_at) == ("observe", "third_sample_in", None)
    assert "3 h 值 30 ng/L（较 0h 变化 10 ng/L）" in done.message
    assert [draw.role for draw in done.draws] == ["0h", "1h", "3h"]


def test_next_draw_times_are_exact() -> None:
    result = troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, 7.0)], None, T0 + 10 * MINUTE)
    assert result.next_draw_at == datetime(2025, 3, 5, 14, 35)
    assert result.message == "请于 14:35 复查 hs-cTnT"
    assert result.overdue is False

    result = troponin.evaluate("abbott_architect_hs_ctni", "0h2h", [(T0, 7.0)], None, T0)
    assert result.next_draw_at == datetime(2025, 3, 5, 15, 35)
    assert result.message == "请于 15:35 复查 hs-cTnI"


def test_first_repeat_due() -> None:
    assert troponin.first_repeat_due("0h1h", T0) == datetime(2025, 3, 5, 14, 35)
    assert troponin.first_repeat_due("0h2h", T0) == datetime(2025, 3, 5, 15, 35)
    with pytest.raises(TroponinInputError, match=r"^protocol: '0h3h' is not one of"):
        troponin.first_repeat_due("0h3h", T0)


def test_a_reminder_on_the_next_day_says_the_date() -> None:
    late_evening = datetime(2025, 3, 5, 23, 20)
    result = troponin.evaluate("roche_hs_ctnt", "0h1h", [(late_evening, 7.0)], None,
                               late_evening)
    assert result.message == "请于 3月6日 00:20 复查 hs-cTnT"


def test_no_draws_asks_for_the_0h_sample_now() -> None:
    result = troponin.evaluate("roche_hs_ctnt", "0h1h", [], None, T0)
    assert (result.verdict, result.next_draw_at, result.message) == (
        "pending", T0, "请立即抽取 0h hs-cTnT")


def test_very_low_with_unknown_onset_says_why_it_waits() -> None:
    result = troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, 2.0)], None, T0)
    assert result.message.startswith("请于 14:35 复查 hs-cTnT（0h 值极低")


@pytest.mark.parametrize(("offset", "role"), [(45, "1h"), (60, "1h"), (75, "1h"),
                                              (44, "unscheduled"), (76, "unscheduled")])
def test_the_second_sample_window(offset: int, role: str) -> None:
    at = T0 + offset * MINUTE
    result = troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, 7.0), (at, 7.0)], None, at)
    assert result.draws[1].role == role
    assert (result.verdict == "rule_out") is (role == "1h")


def test_second_sample_overdue_then_missed() -> None:
    draws = [(T0, 7.0)]
    overdue = troponin.evaluate("roche_hs_ctnt", "0h1h", draws, None, T0 + HOUR + 5 * MINUTE)
    assert (overdue.verdict, overdue.overdue, overdue.next_draw_at) == (
        "pending", True, T0 + HOUR)
    missed = troponin.evaluate("roche_hs_ctnt", "0h1h", draws, None, T0 + HOUR + 16 * MINUTE)
    assert (missed.verdict, missed.reason, missed.next_draw_at) == (
        "observe", "second_window_missed", T0 + 3 * HOUR)


@pytest.mark.parametrize(("assay", "protocol"), [
    ("other_hs_ctni", "0h1h"), ("other_hs_ctnt", "0h2h"), ("singulex_clarity_hs_ctni", "0h2h"),
    ("ortho_vitros_hs_ctni", "0h2h"), ("lsi_pathfast_hs_ctni", "0h2h"),
    ("quidel_triagetrue_hs_ctni", "0h2h"),
])
def test_assays_without_cut_offs_are_not_validated(assay: str, protocol: str) -> None:
    result = troponin.evaluate(assay, protocol, [(T0, 100.0)], None, T0)
    assert (result.verdict, result.next_draw_at, result.cutoffs) == ("not_validated", None, None)
    assert "验证界值" in result.message


def test_aware_times_work() -> None:
    china = timezone(timedelta(hours=8))
    t0 = datetime(2025, 3, 5, 13, 35, tzinfo=china)
    result = troponin.evaluate("roche_hs_ctnt", "0h1h", [(t0, 7.0)], None, t0)
    assert result.next_draw_at == datetime(2025, 3, 5, 14, 35, tzinfo=china)


def test_to_dict_is_json_with_iso_times() -> None:
    result = troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, 7.0)], None, T0).to_dict()
    assert result["next_draw_at"] == "2025-03-05T14:35:00"
    assert result["draws"] == [{"at": "2025-03-05T13:35:00", "value": 7.0, "role": "0h"}]
    assert result["cutoffs"] == {"very_low": 5, "low": 12, "no_delta": 3, "high": 52, "delta": 5}
    assert "Table 5" in result["citation"]
    json.dumps(result, ensure_ascii=False)


@pytest.mark.parametrize(("call", "start"), [
    (lambda: troponin.evaluate("roche", "0h1h", [], None, T0), "assay: 'roche' is not"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "1h", [], None, T0), "protocol: '1h'"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0 + MINUTE, 5.0)], None, T0),
     "draws: the draw at 2025-03-05T13:36:00 is later than now"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, 5.0), (T0, 6.0)], None, T0),
     "draws: two draws at"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, -1.0)], None, T0),
     "draws[0]: -1.0 ng/L is outside"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, 10**400)], None, T0),
     "draws[0]: a number too large to be real ng/L is outside"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, True)], None, T0),
     "draws[0]: value must be a number"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, float("nan"))], None, T0),
     "draws[0]: value must be a number"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, 5.0)], T0 + MINUTE, T0 + HOUR),
     "onset: 2025-03-05T13:36:00 is after the first draw"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [], T0 + MINUTE, T0),
     "onset: 2025-03-05T13:36:00 is later than now"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [(T0, 5.0)], None,
                               T0.replace(tzinfo=UTC)), "draws, onset and now mix"),
    (lambda: troponin.evaluate("roche_hs_ctnt", "0h1h", [("13:35", 5.0)],  # type: ignore[list-item]
                               None, T0),
     "draws[0]: expected a date and time"),
])
def test_bad_input_names_what_is_wrong(call: object, start: str) -> None:
    with pytest.raises(TroponinInputError) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value).startswith(start)
    assert caught.value.exit_code == 2


def test_the_contract_keywords() -> None:
    result = troponin.evaluate(assay="roche_hs_ctnt", protocol="0h1h", draws=[(T0, 7.0)],
                               onset=None, now=T0)
    assert (result.verdict, result.next_draw_at) == ("pending", T0 + HOUR)
    assert troponin.first_repeat_due(protocol="0h1h", first_draw_at=T0) == T0 + HOUR


@settings(max_examples=300, deadline=None)
@given(assay=st.sampled_from(troponin.assays()), protocol=st.sampled_from(["0h1h", "0h2h"]),
       values=st.lists(st.floats(0, 500, allow_nan=False), min_size=0, max_size=4),
       gaps=st.lists(st.integers(1, 300), min_size=3, max_size=3),
       onset_before=st.none() | st.integers(0, 24 * 60), wait=st.integers(0, 400))
def test_any_valid_draws_get_an_answer(assay: str, protocol: str, values: list[float],
                                       gaps: list[int], onset_before: int | None,
                                       wait: int) -> None:
    times = [T0]
    for gap in gaps[: max(len(values) - 1, 0)]:
        times.append(times[-1] + gap * MINUTE)
    draws = list(zip(times, values, strict=False))
    now = (draws[-1][0] if draws else T0) + wait * MINUTE
    onset = None if onset_before is None else T0 - onset_before * MINUTE

    result = troponin.evaluate(assay, protocol, draws, onset, now)
    json.dumps(result.to_dict(), ensure_ascii=False)
    assert result.message
    if result.verdict in ("rule_in", "rule_out", "not_validated"):
        assert result.next_draw_at is None
    elif draws and result.next_draw_at is not None:
        assert result.next_draw_at - T0 in (INTERVAL[protocol], 3 * HOUR)
    if draws and result.verdict == "rule_out":
        assert draws[0][1] < cut_of(assay, protocol).low
