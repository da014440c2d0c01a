"""How amounts and dates look on screen (amounts are integer fen, as in kiosk.host.models)."""
from __future__ import annotations


def money(fen: int | None, currency: str = "CNY") -> str:
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    symbol = "¥" if currency == "CNY" else currency + " "
    return f"{sign}{symbol}{yuan:,}.{cents:02d}"


def parse_amount(text: str) -> int | None:
    """Fen from what the customer typed on the amount keypad ("1234.5" -> 123450)."""
    if not text or text.count(".") > 1:
        return None
    whole, _, frac = text.partition(".")
    if len(frac) > 2 or not (whole or frac):
        return None
    return int(whole or "0") * 100 + int((frac + "00")[:2])


def day(iso: str) -> str:
    """'2026-11-28' or '2026-11-28T10:15:00' -> '2026-11-28'."""
    return (iso or "")[:10]


def pick(view: dict, key: str, default=None):
    """`view[key]` for .kv rules: written `pick(root.view, 'x')` so that kv binds to `root.view`
    (it does not for `root.view.get('x')`, which would never update)."""
    value = view.get(key, default)
    return default if value is None and default is not None else value
