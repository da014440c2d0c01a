"""APDU trace lines that are safe to log: card numbers, Track 2 and ID numbers masked, PINs hidden.

Responses are shown as hex with the values of sensitive tags replaced by their masked text; data
that does not parse as TLV (a T=0 fragment, a broken card) is shown by length only, because raw
hex of BCD digits would spell the card number out.
"""
from __future__ import annotations

from drivers.privacy import mask_number

from .card_errors import TlvError
from .tlv import MAX_DEPTH, is_constructed, scan

SENSITIVE_TAGS = {"5A", "57", "9F61", "56", "9F6B", "9F1F", "9F20"}


def describe_command(apdu: bytes) -> str:
    if len(apdu) >= 5 and apdu[1] == 0x20:  # VERIFY: the PIN block is never written anywhere
        return f"{apdu[:5].hex().upper()} <PIN block hidden>"
    return apdu.hex().upper()


def describe_data(data: bytes) -> str:
    if not data:
        return ""
    try:
        return _render(bytes(data), 0)
    except (TlvError, ValueError, IndexError):
        return f"<{len(data)} bytes, not TLV>"


def _digits(value: bytes) -> str | None:
    """The number a value holds, as ASCII (9F61: may end in X) or BCD (5A); else None."""
    text = value.decode("latin-1").strip()
    if len(text) >= 2 and text[:-1].isdigit() and (text[-1].isdigit() or text[-1] in "Xx"):
        return text
    bcd = value.hex().upper().rstrip("F")
    return bcd if bcd.isdigit() else None


def looks_like_number(value: bytes) -> bool:
    """A card or ID number under a tag we do not know about: 13 digits or more."""
    digits = _digits(value)
    return digits is not None and len(digits) >= 13


def masked_value(tag: str, value: bytes) -> str:
    if tag in ("57", "9F6B"):
        pan, _, rest = value.hex().upper().rstrip("F").partition("D")
        return f"{mask_number(pan)}D{'*' * len(rest)}"
    digits = _digits(value)
    if digits:
        return mask_number(digits)
    return f"<{len(value)} bytes hidden>"


def _render(data: bytes, depth: int) -> str:
    if depth > MAX_DEPTH:
        raise TlvError("too deep")
    parts: list[str] = []
    for offset, tag, start, end in scan(data):
        head = data[offset:start].hex().upper()
        value = data[start:end]
        if tag in SENSITIVE_TAGS or looks_like_number(value):
            body = f"[{masked_value(tag, value)}]"
        elif is_constructed(tag):
            body = _render(value, depth + 1)
        else:
            body = value.hex().upper()
        parts.append(f"{head} {body}" if body else head)
    return " ".join(parts)
