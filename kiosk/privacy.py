"""Masking of card and ID numbers: first 6 + last 4, the rest as asterisks.

Every log, journal row, alert, receipt and screen uses these; nothing else formats a full number.
"""
from __future__ import annotations

import re

_LONG_DIGITS = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{3,9})(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_number(number: str) -> str:
    """Mask a card, account or ID number: 6222021234567890123 -> 622202*********0123."""
    digits = (number or "").strip()
    if len(digits) <= 10:
        return "*" * len(digits) if len(digits) > 4 else digits
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_name(name: str) -> str:
    """Mask a person's name for payee confirmation: 张三 -> *三, 张小三 -> 张*三."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return "*" + name[1]
    return name[0] + "*" * (len(name) - 2) + name[-1]


def scrub(text: str) -> str:
    """Mask every run of 13-19 digits (or an 18-character ID number) found in free text."""
    return _LONG_DIGITS.sub(lambda m: mask_number(m.group(0)), text)
