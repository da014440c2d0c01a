"""HostLink: the one interface between the kiosk and the bank host.

Implementations: the in-process sandbox bank (SQLite) and the ISO 8583 client. Both raise only
HostError and its families, so the customer always gets a clear message.
"""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod

from .models import (Account, CardIdentity, FeeSchedule, Limits, LossReport, Payee, PayeeCheck,
                     PinResult, ReversalAdvice, SettlementTotals, Statement, TransactionPage,
                     TransferRequest, TransferResult)

MAX_PAYEES = 10   # how many saved payees the host lists

# Every message id a customer can be shown (HostError.reason, TransferResult.reason,
# TransferRefused.reason). The UI translates each one.
REASONS = (
    "insufficient_funds",       # not enough money in the account
    "limit_exceeded",           # over the per-transaction limit
    "daily_limit_exceeded",     # over the per-day limit
    "wrong_pin",                # wrong PIN, tries left
    "pin_locked",               # too many wrong PINs: card locked for PIN use
    "card_lost",                # card reported lost
    "card_expired",
    "card_blocked",
    "card_unknown",             # the bank does not know this card
    "account_unknown",
    "payee_unknown",            # no such payee account
    "payee_name_mismatch",      # the payee's name does not match the account
    "id_mismatch",              # the ID card does not belong to the card holder
    "not_permitted",            # this card/account cannot do this (e.g. transfer from credit)
    "invalid_amount",
    "transfer_reversed",        # the host had already reversed this trace number
    "host_timeout",             # no answer in time: outcome pending, reversal queued
    "host_unavailable",         # the bank cannot be reached now
    "host_malformed",           # the bank's answer could not be understood
    "held_for_review",          # large transfer: staff will confirm it
    "fraud_warning_not_acknowledged",  # the anti-fraud warning must be confirmed first
    "new_payee_not_acknowledged",      # first transfer to this payee must be confirmed
    "recovery_incomplete",      # earlier transfers still being resolved: service paused
)


class HostError(Exception):
    """Root of host failures. `reason` is a message id for the customer."""

    def __init__(self, message: str, reason: str = "host_unavailable"):
        super().__init__(message)
        self.reason = reason if reason in REASONS else "host_unavailable"


class HostTimeout(HostError):
    """No answer in time; for a financial message the outcome is unknown."""

    def __init__(self, message: str, reason: str = "host_timeout"):
        super().__init__(message, reason)


class HostDeclined(HostError):
    """The host answered no (insufficient funds, limit, card blocked...)."""


class HostMalformed(HostError):
    """The host's answer could not be understood."""

    def __init__(self, message: str, reason: str = "host_malformed"):
        super().__init__(message, reason)


class HostUnavailable(HostError):
    """The host cannot be reached (connection refused, database missing)."""


class HostLink(ABC):
    @abstractmethod
    def identify_card(self, pan: str, pan_sequence: str | None = None) -> CardIdentity: ...

    @abstractmethod
    def verify_pin(self, pan: str, pin_block: bytes) -> PinResult: ...

    @abstractmethod
    def accounts(self, pan: str) -> list[Account]: ...

    @abstractmethod
    def transactions(self, account_id: str, date_from: dt.date, date_to: dt.date,
                     page: int = 1, page_size: int = 10) -> TransactionPage: ...

    @abstractmethod
    def statement(self, account_id: str, date_from: dt.date, date_to: dt.date) -> Statement: ...

    @abstractmethod
    def payees(self, pan: str) -> list[Payee]:
        """The card holder's saved payees (常用收款人), most recently paid first, at most
        MAX_PAYEES. Empty when there are none; a choice is still checked with verify_payee."""

    @abstractmethod
    def verify_payee(self, account_number: str, name: str) -> PayeeCheck: ...

    @abstractmethod
    def limits(self, pan: str) -> Limits: ...

    @abstractmethod
    def fee_schedule(self, to_account_number: str) -> FeeSchedule: ...

    @abstractmethod
    def fee(self, amount_fen: int, to_account_number: str) -> int: ...

    @abstractmethod
    def transfer(self, request: TransferRequest) -> TransferResult: ...

    @abstractmethod
    def report_lost(self, pan: str, id_number: str) -> LossReport: ...

    @abstractmethod
    def reverse(self, advice: ReversalAdvice, repeat: bool = False) -> bool:
        """Reverse a transfer (0420, or 0421 when `repeat`). True if money moved back, False if
        there was nothing to reverse; the host refuses the original afterwards either way.
        Raises HostTimeout/HostUnavailable when unanswered: keep it queued and send again."""

    @abstractmethod
    def settlement(self, terminal_id: str, day: dt.date) -> SettlementTotals:
        """The host's totals for one terminal and day, for end-of-day reconciliation."""

    def echo(self) -> dt.datetime:
        """A network check (ISO 8583 0800 echo test): the host's clock as its answer gives it.
        Raises HostTimeout/HostUnavailable when the host cannot be reached. Never journaled:
        it runs every minute or so (kiosk.alerts.host_watch)."""
        raise HostUnavailable(f"{type(self).__name__} has no echo test")

    def close(self) -> None:
        pass
