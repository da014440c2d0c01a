"""GB 11643-1999 citizen identity numbers: the MOD 11-2 check digit and the birth date inside.

The same check digit is used by the residence permits of Hong Kong, Macau and Taiwan residents
(numbers starting 81/82/83) and the 2023 foreigner permanent residence card (starting 9).
"""
from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"\d{17}[\dX]")


def is_well_formed(number: str) -> bool:
    """18 characters: 17 digits and a digit or X."""
    return bool(_SHAPE.fullmatch(number.upper()))


def check_digit(first17: str) -> str:
    """The check character for the first 17 digits of a number."""
    if not re.fullmatch(r"\d{17}", first17):
        raise ValueError("a check digit needs exactly 17 digits")
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def check_digit_ok(number: str) -> bool:
    return is_well_formed(number) and check_digit(number[:17]) == number[17].upper()


def birth_date_in(number: str) -> date | None:
    """The birth date at positions 7-14 of an 18-digit number; None when it is no date."""
    if not is_well_formed(number):
        return None
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
