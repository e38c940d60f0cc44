"""Clean-up of what Vosk writes, into the text a doctor would have typed.

Vosk writes Chinese as spaced words with numbers in characters: `持续 胸痛 三 个 小时`. The
clean-up joins the words (`持续胸痛3个小时`) and writes numbers as digits where a doctor writes
digits: before a unit (三小时 -> 3小时, 六十二岁 -> 62岁), after a vital sign's name
(心率一百一十 -> 心率110, 体温三十八点五 -> 体温38.5), blood pressure as systolic/diastolic
when only one reading fits (血压一百六十九十五 -> 血压160/95), percentages, clock times with
a time-of-day word, and long numerals on their own (一百一十二 -> 112). Everything else stays as
said: words that contain numerals (一般, 十二指肠, 三尖瓣, 一过性), approximations (一两天,
三四个小时, 十几年) and anything ambiguous. Misheard medical terms are corrected by
pronunciation (engine.speech.pinyin_fix) when a corrector is given.

Every change is an `Edit` with its place in the cleaned text and the words it replaced, so the
doctor can undo a correction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from engine.speech.numbers import parse_decimal_digits, parse_integer

if TYPE_CHECKING:
    from engine.speech.pinyin_fix import TermCorrector

NUMBER = "number"
TERM = "term"

_NUM = "[零〇一二三四五六七八九十百千万两幺]"
_DIGIT = "[零〇一二三四五六七八九幺]"
_NOT_AFTER_NUM = f"(?<!{_NUM})"
_FILLERS = ("(?:是|为|有|在|约|大约|大概|差不多|只有|才|达|到|达到|高达|最高|最低|测得|测了|"
            "量了|了|超过|不到|大于|小于)")
_UNKNOWN_TOKENS = {"[unk]", "<unk>", "<UNK>", "[UNK]"}


def _listed(words: str) -> list[str]:
    return words.split()


# Units after which a number is written in digits, longest first so 分钟 wins over 分.
_UNITS = sorted(_listed("""
    个多小时 个半小时 个小时 个钟头 个多月 个月 个星期 个礼拜 小时 钟头 分钟 秒钟 秒 天 日 周
    星期 礼拜 年 岁 月 次每分钟 次每分 次 回 片 粒 颗 支 包 瓶 杯 袋 滴 斤 公斤 千克 克 毫克 微克
    毫升 升 毫米汞柱 毫米 厘米 公分 米 公里 毫摩尔 倍 号 度 摄氏度 单位
"""), key=len, reverse=True)
_UNIT_RENDER = {"次每分钟": "次/分", "次每分": "次/分"}
_MIN_DEGREES = 30  # 一度/二度 are grades (I度房室传导阻滞, 二度烧伤); 30 and up are temperatures

# Names after which a bare number is a measurement (心率一百一十 -> 心率110), with the values
# that can be meant; outside them (心率一千) the words stay as said.
_LABEL_RANGES: dict[str, tuple[float, float]] = {
    **dict.fromkeys(("心率", "心跳", "脉搏", "脉率"), (20, 300)),
    **dict.fromkeys(("呼吸频率", "呼吸"), (4, 80)),
    "体温": (30, 45),
    **dict.fromkeys(("血氧饱和度", "血氧", "氧饱和度", "指脉氧", "氧饱"), (30, 100)),
    "血糖": (0.5, 60),
    **dict.fromkeys(("收缩压", "高压"), (50, 300)),
    **dict.fromkeys(("舒张压", "低压"), (20, 200)),
    "年龄": (0, 120),
    "体重": (1, 300),
    **dict.fromkeys(("评分", "得分", "总分", "GCS", "NRS"), (0, 50)),
}
_LABELS = sorted(_LABEL_RANGES, key=len, reverse=True)
_BP_LABELS = ("血压", "BP")
_BP_SEPARATORS = "比|/|杠|斜杠|除以"
# Plausible readings, so that 一百六十九十五 splits one way only (160/95, never 169/15).
_SYSTOLIC = range(50, 301)
_DIASTOLIC = range(30, 161)
_TIME_WORDS = "|".join(_listed("""
    早上 上午 中午 下午 晚上 凌晨 夜里 夜间 半夜 今天 昨天 前天 今早 昨晚 今晚 傍晚 清晨 早晨
"""))

# Fixed phrases that hold numerals but are not numbers (or would read wrongly as digits).
PROTECTED = sorted(_listed("""
    三天两头 三番五次 一五一十 七上八下 十万火急 一年四季 一日三餐 一天到晚 一年半载 三年五载
    一回事 两回事 一次性 一片空白 千万 万一 一度 一时 一阵 一会 一下 一点点 一点儿 有一点 好一点
    差一点 一分为二 十分 百分百 三心二意 接二连三 一干二净 一清二楚 乱七八糟 一模一样 不三不四
"""), key=len, reverse=True)
# ...unless followed by what makes them a number after all (十分钟 is ten minutes).
_PROTECTED_UNLESS = {"十分": "钟", "一度": "以"}
# A phrase is only itself when no numeral runs into it: 二十分 is twenty minutes, not 十分.
_PROTECTED_PATTERNS = [
    re.compile(f"(?<!{_NUM})" + re.escape(phrase)
               + (f"(?![{_PROTECTED_UNLESS[phrase]}])" if phrase in _PROTECTED_UNLESS else ""))
    for phrase in PROTECTED
]


@dataclass(frozen=True)
class Edit:
    """One change: `after` stands at [start, end) of the cleaned text in place of `before`."""

    start: int
    end: int
    before: str
    after: str
    kind: str
    confidence: float = 1.0


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text, what Vosk wrote, and every change between them except spacing."""

    text: str
    raw: str
    edits: tuple[Edit, ...] = ()

    @property
    def corrections(self) -> tuple[Edit, ...]:
        """Misheard terms replaced by pronunciation: the ones a doctor may want to undo."""
        return tuple(edit for edit in self.edits if edit.kind == TERM)

    def undo(self, edit: Edit) -> Cleaned:
        """This text with one edit reverted; the other edits keep their places."""
        if edit not in self.edits:
            raise ValueError("that edit is not part of this text")
        text = self.text[:edit.start] + edit.before + self.text[edit.end:]
        shift = len(edit.before) - len(edit.after)
        kept = tuple(other if other.start < edit.start else
                     replace(other, start=other.start + shift, end=other.end + shift)
                     for other in self.edits if other is not edit)
        return Cleaned(text, self.raw, kept)


@dataclass(frozen=True)
class Joined:
    """Vosk's words joined; `tokens` are each word's span in `text`."""

    text: str
    tokens: tuple[tuple[int, int], ...]


def is_cjk(char: str) -> bool:
    """Han characters and CJK punctuation: written without spaces between them."""
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3000 <= code <= 0x303F
            or 0xFF00 <= code <= 0xFFEF or 0xF900 <= code <= 0xFAFF)


def join_words(raw: str) -> Joined:
    """Drop Vosk's spaces between Chinese words; keep one space between other words
    (Latin, digits, Hangul), and drop [unk] markers."""
    words = [word for word in raw.split() if word not in _UNKNOWN_TOKENS]
    pieces: list[str] = []
    tokens: list[tuple[int, int]] = []
    length = 0
    for word in words:
        if pieces and not (is_cjk(pieces[-1][-1]) or is_cjk(word[0])):
            pieces.append(" ")
            length += 1
        tokens.append((length, length + len(word)))
        pieces.append(word)
        length += len(word)
    return Joined("".join(pieces), tuple(tokens))


def clean_dictation(raw: str, corrector: TermCorrector | None = None) -> Cleaned:
    """The doctor-style text for what Vosk wrote, with every change recorded."""
    joined = join_words(raw)
    changes: list[tuple[int, int, str, str, float]] = []
    if corrector is not None:
        for fix in corrector.find(joined.text, joined.tokens):
            changes.append((fix.start, fix.end, fix.term, TERM, fix.confidence))
    taken = [(start, end) for start, end, *_ in changes]
    changes += [(start, end, text, NUMBER, 1.0)
                for start, end, text in number_rewrites(joined.text, taken)]
    return _apply(joined.text, raw, changes)


def clean_text(text: str) -> str:
    """Only the spacing and numbers of a text (for typed or pasted text as well)."""
    return clean_dictation(text).text


def _apply(text: str, raw: str, changes: list[tuple[int, int, str, str, float]]) -> Cleaned:
    pieces: list[str] = []
    edits: list[Edit] = []
    cursor = 0
    length = 0
    for start, end, after, kind, confidence in sorted(changes):
        pieces.append(text[cursor:start])
        length += start - cursor
        edits.append(Edit(length, length + len(after), text[start:end], after, kind,
                          confidence))
        pieces.append(after)
        length += len(after)
        cursor = end
    pieces.append(text[cursor:])
    return Cleaned("".join(pieces), raw, tuple(edits))


# --- numbers -------------------------------------------------------------------------------


class _Spans:
    """Spans already claimed, so no two rewrites overlap."""

    def __init__(self, taken: Sequence[tuple[int, int]]) -> None:
        self._spans = list(taken)

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self._spans)

    def claim(self, start: int, end: int) -> None:
        self._spans.append((start, end))


def number_rewrites(text: str,
                    taken: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int, str]]:
    """(start, end, digits) for each number in `text` a doctor would write in digits."""
    spans = _Spans(taken)
    for pattern in _PROTECTED_PATTERNS:
        for found in pattern.finditer(text):
            if spans.free(found.start(), found.end()):
                spans.claim(found.start(), found.end())

    rewrites: list[tuple[int, int, str]] = []
    for finder in (_percentages, _blood_pressures, _labelled, _clock_times, _with_units,
                   _standalone):
        for start, end, digits in finder(text):
            if spans.free(start, end):
                spans.claim(start, end)
                if digits is not None:  # None: ambiguous, claimed so it stays as said
                    rewrites.append((start, end, digits))
    return rewrites


def render_integer(value: int) -> str:
    """Digits, keeping 万 for round ten-thousands as doctors write doses (80万单位)."""
    if value >= 10_000 and value % 10_000 == 0:
        return f"{value // 10_000}万"
    return str(value)


def _number(integer: str, decimals: str | None = None) -> str | None:
    value = 0 if integer in ("零", "〇") else parse_integer(integer)
    if value is None:
        return None
    if decimals is None:
        return render_integer(value)
    digits = parse_decimal_digits(decimals)
    return None if digits is None else f"{value}.{digits}"


_PERCENT = re.compile(f"百分之({_NUM}+)(?:点({_DIGIT}+))?")


def _percentages(text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in _PERCENT.finditer(text):
        number = _number(match[1], match[2])
        if number is not None:
            found.append((match.start(), match.end(), f"{number}%"))
    return found


_BP = re.compile(f"(?:{'|'.join(_BP_LABELS)}){_FILLERS}{{0,2}}({_NUM}+)"
                 f"(?:({_BP_SEPARATORS})({_NUM}+))?")


def _blood_pressures(text: str) -> list[tuple[int, int, str | None]]:
    """Readings after 血压; an ambiguous one is returned as None so nothing rewrites it."""
    found: list[tuple[int, int, str | None]] = []
    for match in _BP.finditer(text):
        pair = match[3] is not None
        reading = _pair(match[1], match[3]) if pair else _split_reading(match[1])
        found.append((match.start(1), match.end(), reading))
    return found


def _pair(systolic_text: str, diastolic_text: str) -> str | None:
    systolic, diastolic = parse_integer(systolic_text), parse_integer(diastolic_text)
    if systolic is None or diastolic is None or not _plausible(systolic, diastolic):
        return None
    return f"{systolic}/{diastolic}"


def _split_reading(run: str) -> str | None:
    """One numeral run after 血压: a single value, or the only plausible pair; else None."""
    single = parse_integer(run)
    pairs = {reading for cut in range(1, len(run))
             if (reading := _pair(run[:cut], run[cut:])) is not None}
    if single is not None and single in _SYSTOLIC and not pairs:
        return str(single)
    if single is None and len(pairs) == 1:
        return pairs.pop()
    return None  # nothing fits, or more than one reading does: leave it as said


def _plausible(systolic: int, diastolic: int) -> bool:
    return systolic in _SYSTOLIC and diastolic in _DIASTOLIC and diastolic < systolic


_LABELLED = re.compile(f"({'|'.join(_LABELS)}){_FILLERS}{{0,2}}({_NUM}+)"
                       f"(?:点({_DIGIT}+)|度({_DIGIT})(?!{_NUM}))?")


def _labelled(text: str) -> list[tuple[int, int, str | None]]:
    found: list[tuple[int, int, str | None]] = []
    for match in _LABELLED.finditer(text):
        label, integer, decimals, degree_decimal = match.groups()
        number = _number(integer, decimals if degree_decimal is None else degree_decimal)
        low, high = _LABEL_RANGES[label]
        if number is None or not low <= float(number.rstrip("万")) <= high:
            found.append((match.start(2), match.end(), None))  # not a reading: as said
            continue
        if degree_decimal is None and text.startswith(tuple(_UNITS), match.end()):
            continue  # a unit follows: the unit rule writes it (心率一百一十次每分 -> 110次/分)
        rendered = f"{number}度" if degree_decimal is not None else number  # 三十八度五: 38.5度
        found.append((match.start(2), match.end(), rendered))
    return found


_CLOCK_WITH_CONTEXT = re.compile(f"(?:{_TIME_WORDS})(?:约|大约|大概)?({_NUM}+)点"
                                 f"(?:({_NUM}+)(分)?|(半|钟|整))?")
_CLOCK_MARKED = re.compile(f"{_NOT_AFTER_NUM}({_NUM}+)点(?:({_NUM}+)(分)|(半|钟|整))")


def _clock_times(text: str) -> list[tuple[int, int, str | None]]:
    found: list[tuple[int, int, str | None]] = []
    for pattern in (_CLOCK_WITH_CONTEXT, _CLOCK_MARKED):
        for match in pattern.finditer(text):
            hour = parse_integer(match[1])
            minutes = parse_integer(match[2]) if match[2] is not None else 0
            if hour is None or hour > 24 or minutes is None or minutes > 59:
                found.append((match.start(1), match.end(), None))  # not a time: as said
                continue
            rendered = f"{hour}点"
            if match[2] is not None:
                rendered += f"{minutes}{match[3] or ''}"
            elif match[4] is not None:
                rendered += match[4]
            found.append((match.start(1), match.end(), rendered))
    return found


# The look-ahead sees a lone digit glued after the unit: 三十八度五 (38.5度), 一米七 (1.7 m).
_WITH_UNIT = re.compile(f"{_NOT_AFTER_NUM}({_NUM}+?)(?:点({_DIGIT}+))?(多|余|来)?"
                        f"({'|'.join(_UNITS)})(?=({_DIGIT})(?!{_NUM}))?")


def _with_units(text: str) -> list[tuple[int, int, str | None]]:
    found: list[tuple[int, int, str | None]] = []
    for match in _WITH_UNIT.finditer(text):
        integer, decimals, about, unit, glued = match.groups()
        end = match.end()
        if glued is not None and unit == "米":
            found.append((match.start(), end + 1, None))  # 一米七: leave it as said
            continue
        if glued is not None and unit == "度" and decimals is None:
            decimals, end = glued, end + 1
        number = _number(integer, decimals)
        if number is None:
            continue
        if unit in ("度", "摄氏度") and float(number.rstrip("万")) < _MIN_DEGREES:
            continue
        rendered = f"{number}{about or ''}{_UNIT_RENDER.get(unit, unit)}"
        found.append((match.start(), end, rendered))
    return found


_RUN = re.compile(f"{_NOT_AFTER_NUM}{_NUM}+(?!{_NUM})")


def _standalone(text: str) -> list[tuple[int, int, str]]:
    """Long numerals on their own (一百一十二 -> 112); short ones are often parts of words."""
    found = []
    for match in _RUN.finditer(text):
        run = match[0]
        long_enough = (len(run) >= 3 and any(unit in run for unit in "十百千万")) or (
            len(run) >= 2 and run[0] not in "十百千万" and any(unit in run for unit in "百千万"))
        if not long_enough:
            continue
        value = parse_integer(run)
        if value is not None:
            found.append((match.start(), match.end(), render_integer(value)))
    return found
