"""Chinese numerals as spoken, read strictly.

`parse_integer` accepts only well-formed numerals (一百一十二, 一百零八, 两千, 三万五千, 十二)
and the colloquial shortenings doctors use (一百六 = 160, 两千五 = 2500, 三万五 = 35000).
Anything else is None: approximations such as 一两 (one or two), 三四, 十五六 and 二三十 are
not numbers a doctor would turn into digits, and a strict reader is what keeps 十二指肠 and
一五一十 safe. Digit-by-digit readings (一零八, 幺二零, 二零二四) are read only when they carry
a 零, 〇 or 幺, which marks that style of reading.
"""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9, "幺": 1}
UNITS = {"十": 10, "百": 100, "千": 1000}
ZEROS = "零〇"
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "万"


def parse_integer(text: str) -> int | None:
    """The value of a well-formed Chinese integer, else None."""
    if not text or any(char not in NUMERAL_CHARS for char in text):
        return None
    digit_reading = parse_digit_string(text)
    if digit_reading is not None:
        return int(digit_reading)
    if "幺" in text:
        return None  # 幺 only ever appears in digit-by-digit readings
    if "万" in text:
        return _with_wan(text)
    return _below_10000(text, allow_colloquial=True)


def parse_digit_string(text: str) -> str | None:
    """A digit-by-digit reading (一零八 -> "108"), only when it has a zero or 幺 in it."""
    if len(text) < 2 or any(char not in DIGITS or char == "两" for char in text):
        return None
    if not any(char in text for char in "零〇幺"):
        return None
    return "".join(str(DIGITS[char]) for char in text)


def parse_decimal_digits(text: str) -> str | None:
    """The digits after 点 (三十八点五 -> "5"): each character a plain digit."""
    if not text or any(char not in DIGITS or char == "两" for char in text):
        return None
    return "".join(str(DIGITS[char]) for char in text)


def _with_wan(text: str) -> int | None:
    high_text, _, low_text = text.partition("万")
    if "万" in low_text:
        return None
    high = _below_10000(high_text, allow_colloquial=False)
    if not high:
        return None
    if not low_text:
        return high * 10_000
    if low_text[0] in ZEROS:
        low = _below_10000(low_text[1:], allow_colloquial=False)
        return None if low is None or low >= 1000 else high * 10_000 + low
    if len(low_text) == 1 and low_text in DIGITS and low_text not in ZEROS:
        return high * 10_000 + DIGITS[low_text] * 1000  # 三万五: 35000
    low = _below_10000(low_text, allow_colloquial=True)
    return None if low is None or low < 1000 else high * 10_000 + low


def _below_10000(text: str, allow_colloquial: bool) -> int | None:
    """Numerals under ten thousand; each unit lower than the last, gaps marked by 零."""
    if not text:
        return None
    total = 0
    last_unit = 10_000
    after_zero = False
    index = 0
    while index < len(text):
        char = text[index]
        if char in ZEROS:
            if index == 0 or after_zero or last_unit == 10_000:
                return None
            after_zero = True
            index += 1
            continue
        if char == "十" and index == 0:
            total, last_unit = 10, 10  # 十二: the leading 一 is not said
            index += 1
            continue
        if char not in DIGITS:
            return None
        digit = DIGITS[char]
        unit = UNITS.get(text[index + 1]) if index + 1 < len(text) else None

        if unit is not None:
            if not _unit_may_follow(unit, last_unit, after_zero):
                return None
            if char == "两" and unit == 10:
                return None  # 两十 is not said; 二十 is
            total += digit * unit
            last_unit = unit
            after_zero = False
            index += 2
            continue

        # A digit with no unit after it must be the last character.
        if index != len(text) - 1 or (char == "两" and last_unit != 10_000):
            return None
        if after_zero or last_unit in (10, 10_000):
            return total + digit
        if allow_colloquial:
            return total + digit * (last_unit // 10)  # 一百六: 160; 两千五: 2500
        return None
    return None if after_zero else total


def _unit_may_follow(unit: int, last_unit: int, after_zero: bool) -> bool:
    if last_unit == 10_000:
        return True
    if after_zero:
        return unit * 10 < last_unit  # 一千零五十: the 零 stands for the missing 百
    return unit * 10 == last_unit
