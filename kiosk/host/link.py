"""HostLink: the one interface between the kiosk and the bank host.

Implementations: the in-process sandbox bank (SQLite) and the ISO 8583 client. Both raise only
HostError and its families, so the customer always gets a clear message.
"""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod

from .models import (Account, CardIdentity, Limits, LossReport, PayeeCheck, PinResult,
                     Statement, TransactionPage, TransferRequest, TransferResult)


class HostError(Exception):
    """Root of host failures. `reason` is a message id for the customer."""

    def __init__(self, message: str, reason: str = "host_unavailable"):
        super().__init__(message)
        self.reason = reason


class HostTimeout(HostError):
    """No answer in time; for a financial message the outcome is unknown."""


class HostDeclined(HostError):
    """The host answered no (insufficient funds, limit, card blocked...)."""


class HostMalformed(HostError):
    """The host's answer could not be understood."""


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
    def verify_payee(self, account_number: str, name: str) -> PayeeCheck: ...

    @abstractmethod
    def limits(self, pan: str) -> Limits: ...

    @abstractmethod
    def fee(self, amount_fen: int, to_account_number: str) -> int: ...

    @abstractmethod
    def transfer(self, request: TransferRequest) -> TransferResult: ...

    @abstractmethod
    def report_lost(self, pan: str, id_number: str) -> LossReport: ...

    def close(self) -> None:
        pass
