"""Invented bank data for the printer tests (Luhn-valid card numbers, test names)."""
from __future__ import annotations

import datetime as dt

from kiosk.resources import FONT
from kiosk.documents.slip import SlipContext
from kiosk.host.models import Account, Statement, Transaction



def luhn(partial: str) -> str:
    """partial + its Luhn check digit: invented card numbers that pass the check."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return partial + str((10 - total % 10) % 10)


CARD = luhn("622202000012345678")         # 19 digits, invented
PAYEE_CARD = luhn("621700000098765432")
CTX = SlipContext("KSK-0001", "310101001", dt.datetime(2026, 11, 28, 10, 30, 0))


def account(balance: int = 1_234_567) -> Account:
    return Account(number_masked=CARD, account_id="ACC-0001", kind="debit",
                   balance_fen=balance, available_fen=balance - 34_567)


def statement(lines: int = 30, opening: int = 500_000) -> Statement:
    items = []
    balance = opening
    start = dt.datetime(2026, 11, 1, 9, 0)
    for i in range(lines):
        amount = 120_000 if i % 5 == 0 else -(1_000 + 37 * i)
        balance += amount
        items.append(Transaction(start + dt.timedelta(hours=7 * i),
                                 "工资 Salary" if amount > 0 else "消费 Purchase",
                                 amount, balance, f"TX2611{i:06d}",
                                 PAYEE_CARD if i % 7 == 0 else ""))
    return Statement(account(), dt.date(2026, 11, 1), dt.date(2026, 11, 28), opening, balance,
                     items)
