"""How money, dates and bilingual labels look on paper."""
from __future__ import annotations

import datetime as dt


def money(fen: int) -> str:
    """12345678 -> '123,456.78' (amounts are integer fen; the currency is named in the label)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def signed_money(fen: int) -> str:
    """A movement: '+1,000.00' for money in, '-50.00' for money out."""
    return ("+" if fen > 0 else "") + money(fen)


def label(zh: str, en: str) -> str:
    """A bilingual label: Chinese first, then English."""
    return f"{zh} {en}"


def timestamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def day(d: dt.date) -> str:
    return d.strftime("%Y-%m-%d")
