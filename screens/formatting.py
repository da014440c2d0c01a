"""How amounts, dates and masked numbers look on screen (amounts are integer fen, as in
kiosk.host.models)."""
from __future__ import annotations

import re

from kiosk.documents.format import money as plain_money

_STARS = re.compile(r"\*{3,}")


def money(fen: int | None, currency: str = "CNY") -> str:
    if fen is None:
        return "—"
    text = plain_money(int(fen))
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    symbol = "¥" if currency == "CNY" else currency + " "
    return f"{sign}{symbol}{digits}"


def number(masked: str | None) -> str:
    """A masked card, account or ID number as customers read it on screen, short enough not to
    wrap: 622202*********0018 -> 622202 **** 0018 (still first 6 + last 4 and nothing else)."""
    return _STARS.sub(" **** ", masked or "")


def parse_amount(text: str) -> int | None:
    """Fen from what the customer typed on the amount keypad ("1234.5" -> 123450)."""
    if not text or text.count(".") > 1:
        return None
    whole, _, frac = text.partition(".")
    if len(frac) > 2 or not (whole or frac):
        return None
    return int(whole or "0") * 100 + int((frac + "00")[:2])


def typed_amount(text: str) -> str:
    """What is typed on the amount keypad with thousands separators: '60000.5' -> '60,000.5'."""
    whole, point, frac = (text or "0").partition(".")
    return f"{int(whole or '0'):,}{point}{frac}"


def day(iso: str) -> str:
    """'2026-11-28' or '2026-11-28T10:15:00' -> '2026-11-28'."""
    return (iso or "")[:10]


def pick(view: dict, key: str, default=None):
    """`view[key]` for .kv rules: written `pick(root.view, 'x')` so that kv binds to `root.view`
    (it does not for `root.view.get('x')`, which would never update)."""
    value = view.get(key, default)
    return default if value is None and default is not None else value


def group_digits(number: str) -> str:
    """'6222020000000000018' -> '6222 0200 0000 0000 018' (easier to check by eye)."""
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))
