"""Amounts and numbers as the voice says them, checked against an independent reading."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from kiosk.voice import spoken

DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
UNITS = {"十": 10, "百": 100, "千": 1000}
BIG = {"万": 10_000, "亿": 100_000_000}


def read_back(text: str) -> int:
    """Chinese numerals back to an int: an independent reader for the round trip."""
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            section += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        elif ch in BIG:
            section += digit or 0
            if BIG[ch] == 100_000_000:
                total = (total + section) * BIG[ch]
            else:
                total += section * BIG[ch]
            section, digit = 0, None
        else:
            raise AssertionError(f"unexpected {ch!r} in {text!r}")
    return total + section + (digit or 0)


def test_amounts_read_as_a_cashier_says_them():
    assert spoken.money_zh(123450) == "一千二百三十四元五角"
    assert spoken.money_zh(5) == "五分"
    assert spoken.money_zh(0) == "零元"
    assert spoken.money_zh(1005) == "十元零五分"
    assert spoken.money_zh(101) == "一元零一分"
    assert spoken.money_zh(1500) == "十五元"
    assert spoken.money_zh(10_000_000) == "十万元"
    assert spoken.money_zh(2_000_500) == "二万零五元"
    assert spoken.integer_zh(100_010) == "十万零一十"
    assert spoken.integer_zh(1_0001_0000) == "一亿零一万"
    assert spoken.money_en(123450) == "1234 yuan 50"
    assert spoken.money_en(6_000_000) == "60000 yuan"


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_every_whole_number_reads_back_to_itself(n):
    text = spoken.integer_zh(n)
    assert read_back(text) == n
    assert "零零" not in text and (n == 0 or not text.endswith("零"))


def test_numbers_read_digit_by_digit():
    assert spoken.digit_by_digit("A023", "zh_CN") == "A 零 二 三"
    assert spoken.digit_by_digit("A023", "en") == "A 0 2 3"
