"""Reading Chinese numerals strictly: well-formed ones and doctors' shortenings, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.speech.numbers import parse_decimal_digits, parse_digit_string, parse_integer

DIGITS = "零一二三四五六七八九"


@pytest.mark.parametrize(("spoken", "value"), [
    ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("一十二", 12), ("二十", 20), ("二十五", 25),
    ("九十九", 99), ("一百", 100), ("两百", 200), ("一百零八", 108), ("一百一十", 110),
    ("一百一十二", 112), ("一百六十", 160), ("九百九十九", 999), ("一千", 1000),
    ("两千", 2000), ("一千零五", 1005), ("一千零五十", 1050), ("一千二百三十四", 1234),
    ("三万", 30000), ("三万五千", 35000), ("十万", 100000), ("八十万", 800000),
    ("两万零五百", 20500),
    # colloquial: the last unit is left out
    ("一百六", 160), ("一百八", 180), ("两千五", 2500), ("三万五", 35000),
    # digit by digit, marked by a zero or 幺
    ("一零八", 108), ("幺二零", 120), ("二零二四", 2024), ("一〇五", 105),
])
def test_well_formed_numerals(spoken: str, value: int) -> None:
    assert parse_integer(spoken) == value


@pytest.mark.parametrize("spoken", [
    # approximations
    "", "一两", "两三", "三四", "五六", "七八", "十五六", "二三十", "三五", "一二三",
    # malformed
    "两十", "十两", "百", "千", "万", "零", "一百零", "一百十二", "一千五十", "一百零五十",
    "十十", "一百一百", "三万万", "万一", "一五一十", "九九八十一", "幺", "胸痛",
    "二十几", "1百", "幺百",
])
def test_anything_else_is_not_a_number(spoken: str) -> None:
    assert parse_integer(spoken) is None


def _spoken(value: int) -> str:
    """How 1..9999 is said, for the round-trip property."""
    if value == 0:
        return ""
    parts, skipped = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // unit % 10
        if digit:
            if skipped and parts:
                parts.append("零")
            parts.append(DIGITS[digit] + name)
            skipped = False
        else:
            skipped = True
    return "".join(parts)


@given(st.integers(min_value=1, max_value=9999))
def test_every_number_below_ten_thousand_reads_back(value: int) -> None:
    assert parse_integer(_spoken(value)) == value


def test_digit_strings_and_decimals() -> None:
    assert parse_digit_string("一二三") is None  # no zero: could be 一二三 as in 'one two three'
    assert parse_digit_string("幺三八") == "138"
    assert parse_decimal_digits("五") == "5"
    assert parse_decimal_digits("零五") == "05"
    assert parse_decimal_digits("十") is None
    assert parse_decimal_digits("两") is None
