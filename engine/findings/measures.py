"""Numbers in the text: vital signs, the duration of the complaint, age and sex.

Vital signs come in the forms doctors write (BP 160/95mmHg, 血压160/95, 心率112次/分, HR 108,
P 88, SpO2 96%, 血氧94%, 呼吸24次/分, R 20, T 37.2℃, 体温38度, 左臂190/110 右臂160/95) and as
Vosk writes them (心率一百一十二, 体温三十八度五). A value outside the plausible range is not
read at all. Durations convert to minutes: 1天 = 1440, 1周 = 10080, 1月 = 30 days, 半天 = 720.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.findings.model import Span
from engine.findings.numerals import CHINESE_CHARS, NUMBER, parse_number, split_tokens
from engine.findings.text import View

# Plausible ranges: a reading outside is a typo or another number, never a vital sign.
VITAL_RANGES: dict[str, tuple[float, float]] = {
    "hr": (20, 300), "sbp": (40, 300), "dbp": (20, 200), "rr": (4, 80), "spo2": (30, 100),
    "temp": (30, 45),
    "sbp_left": (40, 300), "dbp_left": (20, 200), "sbp_right": (40, 300), "dbp_right": (20, 200),
}

_SEP = r"\s*(?:[:：=]|为|是)?\s*"
_N = rf"({NUMBER})"
_PRESSURE = r"(\d{2,3})\s*/\s*(\d{2,3})(?:\s*mmhg)?"
_ARM = r"(左|右)(?:侧)?(?:上肢|上臂|手臂|胳膊|臂|手)?(?:血压|bp)?"

_PER_ARM = re.compile(_ARM + _SEP + _PRESSURE)
_BP = re.compile(r"(?:(?<![a-z])bp|血压|测血压|nibp)" + _SEP + _PRESSURE)
_BP_SPOKEN = re.compile(
    r"血压" + _SEP + rf"([{CHINESE_CHARS}]+)(?:/|比|到|、)?([{CHINESE_CHARS}]+)"
)
_HR = re.compile(
    r"(?:心率|(?<![a-z])hr|脉搏|脉率|心跳|(?<![a-z])pr|(?<![a-z])p)" + _SEP + _N
    + r"\s*(?:次/分钟?|次/min|次每分钟?|次|bpm|/min|/分)?"
)
_RR = re.compile(
    r"(?:呼吸频率|呼吸|(?<![a-z])rr|(?<![a-z])r)" + _SEP + _N
    + r"\s*(?:次/分钟?|次/min|次每分钟?|次|/min|/分)?"
)
_SPO2 = re.compile(
    r"(?:spo2|sao2|经皮血氧饱和度|血氧饱和度|指脉氧饱和度|指脉氧|氧饱和度|指氧|血氧|氧饱)"
    + _SEP + r"(?:百分之)?" + _N + r"\s*%?"
)
_TEMP = re.compile(
    r"(?:体温|temp|(?<![a-z])t)" + _SEP + _N
    + r"\s*(?:(?:℃|°c|°|度|c(?![a-z]))([一二三四五六七八九\d](?![\d.]))?)?"
)
# 发烧 三十八 度 五: a fever word, then a temperature that must carry its unit.
_TEMP_FEVER = re.compile(
    r"(?:发烧|发热|高热|低热|高烧|低烧|烧到|烧了)(?:到|至|达|最高|最高达)?" + _N
    + r"\s*(?:℃|°c|度)([一二三四五六七八九\d](?![\d.]))?"
)
_TEMP_BARE = re.compile(r"(?<![\d.])(\d{2}(?:\.\d)?)\s*(?:℃|°c)")


@dataclass(frozen=True)
class Reading:
    key: str
    value: float
    start: int
    end: int


def _plausible(key: str, value: float | None) -> bool:
    if value is None:
        return False
    low, high = VITAL_RANGES[key]
    return low <= value <= high


def _number_before_gap(view: View, start: int, token: str) -> float | None:
    """A Chinese number token read only up to the first place the original had a space."""
    spans = split_tokens(view.text, start, view.gaps)
    if spans and spans[0][0] == start:
        return parse_number(view.text[spans[0][0]:spans[0][1]])
    return parse_number(token)


def find_vitals(view: View) -> list[Reading]:
    """Every plausible vital-sign reading, in text order; per-arm readings take their span."""
    readings: list[Reading] = []
    taken: list[tuple[int, int]] = []

    for match in _PER_ARM.finditer(view.text):
        side = "left" if match.group(1) == "左" else "right"
        systolic, diastolic = float(match.group(2)), float(match.group(3))
        if _plausible("sbp", systolic) and _plausible("dbp", diastolic):
            readings.append(Reading(f"sbp_{side}", systolic, match.start(), match.end()))
            readings.append(Reading(f"dbp_{side}", diastolic, match.start(), match.end()))
            taken.append((match.start(), match.end()))

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _BP.finditer(view.text):
        systolic, diastolic = float(match.group(1)), float(match.group(2))
        if free(match.start(), match.end()) and _plausible("sbp", systolic) \
                and _plausible("dbp", diastolic):
            readings.append(Reading("sbp", systolic, match.start(), match.end()))
            readings.append(Reading("dbp", diastolic, match.start(), match.end()))
            taken.append((match.start(), match.end()))
    readings.extend(_spoken_pressures(view, free))

    for key, pattern in (("hr", _HR), ("rr", _RR), ("spo2", _SPO2)):
        for match in pattern.finditer(view.text):
            value = _number_before_gap(view, match.start(1), match.group(1))
            if free(match.start(), match.end()) and _plausible(key, value):
                assert value is not None
                readings.append(Reading(key, value, match.start(), match.end()))
    readings.extend(_temperatures(view, free))
    readings.sort(key=lambda reading: reading.start)
    return readings


def _spoken_pressures(view: View, free: Callable[[int, int], bool]) -> list[Reading]:
    """血压 一百六十 九十五: two spoken numbers, kept apart by a space or 比 / 到."""
    found = []
    for match in _BP_SPOKEN.finditer(view.text):
        tokens = split_tokens(view.text, match.start(1), view.gaps)
        if len(tokens) < 2 or tokens[0][0] != match.start(1):
            continue
        (a, b), (c, d) = tokens[0], tokens[1]
        if view.text[b:c] not in ("", "/", "比", "到", "、"):
            continue
        systolic = parse_number(view.text[a:b])
        diastolic = parse_number(view.text[c:d])
        if free(match.start(), d) and _plausible("sbp", systolic) \
                and _plausible("dbp", diastolic):
            assert systolic is not None and diastolic is not None
            found.append(Reading("sbp", systolic, match.start(), d))
            found.append(Reading("dbp", diastolic, match.start(), d))
    return found


def _temperatures(view: View, free: Callable[[int, int], bool]) -> list[Reading]:
    found = []
    matches = [*_TEMP.finditer(view.text), *_TEMP_FEVER.finditer(view.text)]
    for match in sorted(matches, key=lambda m: m.start()):
        value = _number_before_gap(view, match.start(1), match.group(1))
        if value is not None and match.group(2):
            tenth = parse_number(match.group(2))
            if tenth is not None and value == int(value):
                value += tenth / 10  # 三十八度五 = 38.5
        if free(match.start(), match.end()) and _plausible("temp", value):
            assert value is not None
            found.append(Reading("temp", round(value, 1), match.start(), match.end()))
    for match in _TEMP_BARE.finditer(view.text):
        value = float(match.group(1))
        if free(match.start(), match.end()) and _plausible("temp", value) and \
                all(not (r.start <= match.start() < r.end) for r in found):
            found.append(Reading("temp", value, match.start(), match.end()))
    return found


# --- Duration -----------------------------------------------------------------------------

_UNIT_MINUTES = {
    "秒": 0, "分钟": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
    "小时": 60, "钟头": 60, "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
    "天": 1440, "日": 1440, "周": 10080, "星期": 10080, "礼拜": 10080, "wk": 10080,
    "月": 43200, "年": 525600,
}
_DURATION = re.compile(
    rf"(?<![第\d.{CHINESE_CHARS}])(?P<num>{NUMBER}|半)"
    rf"(?:(?:-|~|～|到|至)(?P<upper>{NUMBER}))?"
    r"(?P<half_a>个半)?(?:余|多)?个?(?:多)?"
    r"\s?(?P<unit>分钟|小时|钟头|天|日|周(?!岁)|星期|礼拜|月|年|秒"
    r"|(?:minutes?|mins?|hours?|hrs?|h|wk)(?![a-z]))"
    r"(?P<half_b>半)?"
    rf"(?:(?P<minutes>{NUMBER})(?:分钟|分|min))?"
)


@dataclass(frozen=True)
class Duration:
    minutes: int
    start: int
    end: int


def find_durations(view: View) -> list[Duration]:
    """Every well-formed duration in the text, in order (the caller picks the complaint's)."""
    found = []
    for match in _DURATION.finditer(view.text):
        minutes = _duration_minutes(view, match)
        if minutes is not None and minutes > 0:
            found.append(Duration(minutes, match.start(), match.end()))
    return found


def _duration_minutes(view: View, match: re.Match[str]) -> int | None:
    unit = match.group("unit")
    number = match.group("num")
    if unit == "月":
        before = view.text[max(0, match.start() - 1):match.start()]
        after = view.text[match.end():match.end() + 3]
        if before == "年" or re.match(rf"[\d{CHINESE_CHARS}]+[日号]", after) or after[:1] == "份":
            return None  # a date (3月5日), not a duration
    if unit == "日" and view.text[max(0, match.start() - 1):match.start()] == "月":
        return None
    value = 0.5 if number == "半" else parse_number(number)
    if value is None:
        return None
    if unit == "年" and value >= 1000:
        return None  # a year (2023年)
    if match.group("half_a") or match.group("half_b"):
        value += 0.5
    minutes = value * _UNIT_MINUTES[unit]
    if match.group("minutes"):
        extra = parse_number(match.group("minutes"))
        if extra is None or unit not in ("小时", "钟头", "h", "hr", "hrs", "hour", "hours"):
            return None
        minutes += extra
    return round(minutes)


# --- Age and sex --------------------------------------------------------------------------

_AGE = re.compile(
    rf"(?:年龄{_SEP})?(?P<num>\d{{1,3}}|[{CHINESE_CHARS}]+)(?:余|多)?(?:周)?岁(?!时|那年|起|开始|以前|以后|前|后)"
    r"|年龄" + _SEP + r"(?P<num2>\d{1,3})(?!\d)"
    r"|(?<![\d.])(?P<num3>\d{1,3})\s?(?:yo|y|yrs?|years?)(?![a-z])"
)


@dataclass(frozen=True)
class Found:
    value: object
    start: int
    end: int


def find_age(view: View, excluded: Sequence[tuple[int, int]]) -> Found | None:
    """The patient's age: the first N岁 outside a relative's clause and not "at the time"."""
    for match in _AGE.finditer(view.text):
        if any(a <= match.start() < b for a, b in excluded):
            continue
        token = match.group("num") or match.group("num2") or match.group("num3")
        value = parse_number(token)
        if value is not None and 0 <= value <= 130 and value == int(value):
            return Found(int(value), match.start(), match.end())
    return None


_SEX = re.compile(r"男性|女性|男|女|先生|女士")
_SEX_BEFORE = re.compile(r"(?:^|[\s,，、;；:：.。(（\n]|患者|病人|性别|者|岁)$")
_SEX_AFTER = re.compile(rf"(?:$|[\s,，、;；:：.。)）\n\d{CHINESE_CHARS}]|患|病人|性|的)")


def find_sex(view: View, excluded: Sequence[tuple[int, int]]) -> Found | None:
    """男 / 女 standing alone (男，64岁; 女 59岁; 患者男性), never inside 女儿 or 妇女."""
    for match in _SEX.finditer(view.text):
        if any(a <= match.start() < b for a, b in excluded):
            continue
        word = match.group(0)
        value = "male" if word in ("男性", "男", "先生") else "female"
        if word in ("先生", "女士", "男性", "女性"):
            return Found(value, match.start(), match.end())
        before = view.text[max(0, match.start() - 2):match.start()]
        # Vosk writes words apart: a space before and after makes 男 a word of its own.
        alone_before = _SEX_BEFORE.search(before) or match.start() in view.gaps
        alone_after = _SEX_AFTER.match(view.text, match.end()) or match.end() in view.gaps
        if alone_before and alone_after:
            return Found(value, match.start(), match.end())
    return None


def spans_of(items: Sequence[Reading | Duration | Found], view: View) -> list[Span]:
    return [view.span(item.start, item.end) for item in items]


# --- Clock time of onset ------------------------------------------------------------------

_CLOCK = re.compile(
    rf"(?P<day>今晨|今早|今日|今天|昨晚|昨天晚上|昨夜|昨日|昨天|前天)?"
    r"(?P<part>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜间|夜里)?"
    rf"(?:约|大约)?(?P<hour>\d{{1,2}}|[{CHINESE_CHARS}]+)(?P<sep>:|点|时)"
    rf"(?P<minute>\d{{1,2}}|半|[{CHINESE_CHARS}]+)?(?:分)?"
)
_ONSET_AFTER = re.compile(r"[^,，。;；\n]{0,4}?(?:开始|出现|起病|发作|突发|突然|感到|觉|发生|起)")
_PM_PARTS = frozenset({"下午", "傍晚", "晚上", "夜间", "夜里"})


def find_clock_onset(view: View, now: datetime) -> Duration | None:
    """今晨7点开始胸痛 / 于14:20突发胸痛, read against ``now``: the minutes since then."""
    for match in _CLOCK.finditer(view.text):
        before = view.text[max(0, match.start() - 1):match.start()]
        anchored = match.group("day") or match.group("part") or before == "于"
        if not anchored and not _ONSET_AFTER.match(view.text, match.end()):
            continue
        if match.group("sep") == ":" and not match.group("minute"):
            continue
        onset = _clock_time(match, now)
        if onset is None:
            continue
        minutes = round((now - onset).total_seconds() / 60)
        if 0 < minutes <= 7 * 24 * 60:
            return Duration(minutes, match.start(), match.end())
    return None


def _clock_time(match: re.Match[str], now: datetime) -> datetime | None:
    hour = parse_number(match.group("hour"))
    minute_text = match.group("minute")
    minute = 30.0 if minute_text == "半" else parse_number(minute_text) if minute_text else 0.0
    if hour is None or minute is None or not (0 <= hour <= 24 and 0 <= minute < 60):
        return None
    hour_of_day = int(hour)
    if match.group("part") in _PM_PARTS and hour_of_day < 12:
        hour_of_day += 12
    if match.group("part") == "中午" and hour_of_day < 6:
        hour_of_day += 12
    day = match.group("day") or ""
    days_back = 2 if day == "前天" else 1 if day.startswith("昨") else 0
    if day in ("昨晚", "昨天晚上", "昨夜") and hour_of_day < 12 and hour_of_day >= 6:
        hour_of_day += 12
    onset = now.replace(hour=hour_of_day % 24, minute=int(minute), second=0, microsecond=0)
    onset -= timedelta(days=days_back)
    if not day and onset > now:
        onset -= timedelta(days=1)  # 23点 said after midnight means yesterday
    return onset
