"""The rules a customer's entry must meet, in one place: the flows enforce them, and the
states carry them (`Length.view()`, `fee_view`) so a screen shows and enables exactly what the
session will accept, never a copy of its own."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..host.models import FeeSchedule
from drivers.barcode.scanned_codes import luhn_ok

CARD_BINS = ("62", "4", "5", "3")   # UnionPay, Visa, Mastercard, JCB: card numbers carry Luhn


@dataclass(frozen=True)
class Length:
    min: int
    max: int

    def fits(self, text: str) -> bool:
        return self.min <= len(text) <= self.max

    def view(self) -> dict[str, int]:
        return {"min": self.min, "max": self.max}


ACCOUNT_NUMBER = Length(10, 25)     # a payee's account or card number, digits
CARD_NUMBER = Length(16, 19)        # a bank card number (PAN), digits, Luhn
PAYEE_NAME = Length(1, 30)          # characters
PIN = Length(6, 6)                  # digits


def account_number_problem(number: str, own_pan: str) -> str:
    """Why a payee account number cannot be right, or "" when it passes the checks."""
    if not number.isdigit() or not ACCOUNT_NUMBER.fits(number):
        return "account_number_invalid"
    if CARD_NUMBER.fits(number) and number.startswith(CARD_BINS) and not luhn_ok(number):
        return "account_number_invalid"
    if number == own_pan:
        return "account_number_own_card"
    return ""


def card_number_problem(number: str) -> str:
    """Why a bank card number cannot be right, or ""."""
    if not number.isdigit() or not CARD_NUMBER.fits(number) or not luhn_ok(number):
        return "account_number_invalid"
    return ""


# An amount over a limit is told with the limit that applies, from the amount step's view.
OVER_TRANSACTION_LIMIT = "amount_over_transaction_limit({limit})"
OVER_DAILY_LIMIT = "amount_over_daily_limit({limit})"
LIMIT_OF_PROBLEM = {OVER_TRANSACTION_LIMIT: "per_transaction_fen",
                    OVER_DAILY_LIMIT: "remaining_today_fen"}


def limit_problem(amount_fen: int, per_transaction_fen: int, remaining_today_fen: int) -> str:
    """The limit an amount goes over, the lower of the two when both apply, or ""."""
    if amount_fen <= min(per_transaction_fen, remaining_today_fen):
        return ""
    return OVER_DAILY_LIMIT if remaining_today_fen < per_transaction_fen \
        else OVER_TRANSACTION_LIMIT


def problem_limit_fen(view: dict[str, Any]) -> int | None:
    """The limit (fen) the amount step's problem names, or None for another problem."""
    key = LIMIT_OF_PROBLEM.get(view.get("problem") or "")
    return view.get(key) if key else None


def fee_view(fees: FeeSchedule, amount_fen: int) -> dict[str, Any]:
    """The fee as the amount screen shows it: the schedule (for its wording), whether it is
    free, and the fee for `amount_fen` (`priced_fen`), priced here as the customer types."""
    return {"fee_schedule": asdict(fees), "fee_free": fees.free,
            "fee_fen": fees.fee(amount_fen) if amount_fen > 0 else None,
            "priced_fen": amount_fen}
