"""A HostLink decorator that writes every host exchange to the electronic journal.

One row per call, kind `host.<operation>` (e.g. `host.verify_pin`), with the outcome (`ok` or
the failure's reason id), the time it took and the card or account it was about (masked by the
journal). Results themselves (balances, statements) are not copied: the journal records that the
exchange happened and how it ended. The PIN block is never passed to the journal; a payee list
is recorded as its count and masked account numbers, never the payees' names.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import asdict
from typing import Any, Callable

from kiosk.journal import Journal

from .link import HostError, HostLink
from .models import (Account, CardIdentity, FeeSchedule, Limits, LossReport, Payee, PayeeCheck,
                     PinResult, ReversalAdvice, SettlementTotals, Statement, TransactionPage,
                     TransferRequest, TransferResult)

log = logging.getLogger(__name__)


class JournaledHost(HostLink):
    def __init__(self, host: HostLink, journal: Journal):
        self.inner = host
        self.journal = journal
        # Told how every exchange ended: (operation, None or the HostError). The host watch
        # (kiosk.alerts.host_watch) hears customers' calls fail before its next echo test.
        self.observers: list[Callable[[str, HostError | None], None]] = []

    def _call(self, operation: str, call: Callable[[], Any], summary: Callable[[Any], dict],
              **about: Any) -> Any:
        started = time.monotonic()
        try:
            result = call()
        except HostError as exc:
            self._record(operation, started, outcome="failed", reason=exc.reason, **about)
            self._tell(operation, exc)
            raise
        self._record(operation, started, outcome="ok", **about, **summary(result))
        self._tell(operation, None)
        return result

    def _tell(self, operation: str, error: HostError | None) -> None:
        for observer in list(self.observers):
            try:
                observer(operation, error)
            except Exception:
                log.exception("host observer failed after %s", operation)

    def echo(self) -> dt.datetime:
        """Not journaled (it runs every minute or so) and not told: its caller watches it."""
        return self.inner.echo()

    def _record(self, operation: str, started: float, **fields: Any) -> None:
        fields["ms"] = round((time.monotonic() - started) * 1000, 1)
        try:
            self.journal.record(f"host.{operation}", **fields)
        except Exception:
            log.exception("journal write for host.%s failed", operation)

    def identify_card(self, pan: str, pan_sequence: str | None = None) -> CardIdentity:
        return self._call("identify_card", lambda: self.inner.identify_card(pan, pan_sequence),
                          lambda r: {"card_status": r.card_status}, pan=pan)

    def verify_pin(self, pan: str, pin_block: bytes) -> PinResult:
        return self._call("verify_pin", lambda: self.inner.verify_pin(pan, pin_block),
                          lambda r: {"pin_ok": r.ok, "tries_left": r.tries_left,
                                     "locked": r.locked}, pan=pan)

    def accounts(self, pan: str) -> list[Account]:
        return self._call("accounts", lambda: self.inner.accounts(pan),
                          lambda r: {"accounts": len(r)}, pan=pan)

    def transactions(self, account_id: str, date_from: dt.date, date_to: dt.date,
                     page: int = 1, page_size: int = 10) -> TransactionPage:
        return self._call("transactions", lambda: self.inner.transactions(
            account_id, date_from, date_to, page, page_size),
            lambda r: {"items": len(r.items), "total": r.total}, account_id=account_id,
            date_from=date_from.isoformat(), date_to=date_to.isoformat(), page=page)

    def statement(self, account_id: str, date_from: dt.date, date_to: dt.date) -> Statement:
        return self._call("statement", lambda: self.inner.statement(account_id, date_from, date_to),
                          lambda r: {"lines": len(r.lines)}, account_id=account_id,
                          date_from=date_from.isoformat(), date_to=date_to.isoformat())

    def payees(self, pan: str) -> list[Payee]:
        return self._call("payees", lambda: self.inner.payees(pan),
                          lambda r: {"payees": len(r),
                                     "payees_masked": [p.account_masked for p in r]}, pan=pan)

    def verify_payee(self, account_number: str, name: str) -> PayeeCheck:
        return self._call("verify_payee", lambda: self.inner.verify_payee(account_number, name),
                          lambda r: {"matches": r.matches, "bank_name": r.bank_name},
                          payee_number=account_number)

    def limits(self, pan: str) -> Limits:
        return self._call("limits", lambda: self.inner.limits(pan), lambda r: {}, pan=pan)

    def fee_schedule(self, to_account_number: str) -> FeeSchedule:
        return self._call("fee_schedule", lambda: self.inner.fee_schedule(to_account_number),
                          asdict, payee_number=to_account_number)

    def fee(self, amount_fen: int, to_account_number: str) -> int:
        return self._call("fee", lambda: self.inner.fee(amount_fen, to_account_number),
                          lambda r: {"fee_fen": r}, amount_fen=amount_fen,
                          payee_number=to_account_number)

    def transfer(self, request: TransferRequest) -> TransferResult:
        return self._call("transfer", lambda: self.inner.transfer(request),
                          lambda r: {"result": r.outcome.value, "reason": r.reason,
                                     "reference": r.reference},
                          stan=request.stan, amount_fen=request.instruction.amount_fen)

    def report_lost(self, pan: str, id_number: str) -> LossReport:
        return self._call("report_lost", lambda: self.inner.report_lost(pan, id_number),
                          lambda r: {"reference": r.reference,
                                     "expires_on": r.expires_on.isoformat()},
                          pan=pan, id_number=id_number)

    def reverse(self, advice: ReversalAdvice, repeat: bool = False) -> bool:
        return self._call("reverse", lambda: self.inner.reverse(advice, repeat),
                          lambda r: {"host_reversed": r}, stan=advice.stan, repeat=repeat)

    def settlement(self, terminal_id: str, day: dt.date) -> SettlementTotals:
        return self._call("settlement", lambda: self.inner.settlement(terminal_id, day),
                          lambda r: {"approved": len(r.approved_stans)}, day=day.isoformat())

    def close(self) -> None:
        self.inner.close()
