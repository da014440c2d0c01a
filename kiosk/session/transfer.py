"""Transfer: payee (saved or new), account number checks, the bank's payee name check, amount
with limits and fee, the anti-fraud warning, confirmation, the crash-safe send, result, receipt.

The send itself is kiosk.transfers.TransferService (journal PENDING first, reversal on timeout);
it runs as a critical job, so a card pulled mid-transfer ends the session only after the
transfer is recorded.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from drivers.privacy import mask_name, mask_number

from ..console.held import HELD_DECIDED
from ..host.link import HostDeclined, HostMalformed
from ..host.models import TransferOutcome
from .accounts import AccountsMixin
from .engine import IDLE, in_language
from .failures import Failure, UnavailableError, describe
from .flow import Flow
from .payee import PayeeSteps
from .printing import print_document, slip_context
from .rules import fee_view, limit_problem
from .services import host
from .states import Step

log = logging.getLogger(__name__)

MIN_READ_S = 5.0            # the anti-fraud warning stays up at least this long


class TransferFlow(PayeeSteps, AccountsMixin, Flow):
    name = "transfer"
    needs = "card_pin"

    def start(self) -> None:
        self.assessment: Any = None
        self.payees: list[Any] = []      # saved payees (kiosk.host.models.Payee), full numbers
        self.saved_payee = False         # the payee in hand came from that list
        self.load_accounts()

    def with_accounts(self) -> None:
        pan = self.data.pan

        def unlisted(exc: BaseException) -> None:
            # The list is a convenience: a host that refuses it still takes a new payee.
            if isinstance(exc, (HostDeclined, HostMalformed)):
                log.warning("saved payees not available (%s): new payee only",
                            getattr(exc, "reason", ""))
                self.show_payees([])
            else:
                self.s.fail(describe(exc), retry=self.start)

        self.s.work("loading_accounts", lambda: list(host(self.s).payees(pan)), self.show_payees,
                    failed=unlisted)

    # -- amount ----------------------------------------------------------------------------
    def ask_amount(self, amount_fen: int = 0, problem: str = "") -> None:
        number = self.data.payee_account
        if self.data.limits is None or self.data.fee_schedule_payee != number:
            pan, known = self.data.pan, self.data.limits

            def job() -> tuple[Any, Any]:
                limits = known if known is not None else host(self.s).limits(pan)
                return limits, host(self.s).fee_schedule(number)

            def loaded(result: tuple[Any, Any]) -> None:
                self.data.limits, self.data.fee_schedule = result
                self.data.fee_schedule_payee = number
                self.ask_amount(amount_fen, problem)

            self.s.work("loading_limits", job, loaded, retry=self.ask_amount)
            return
        limits, fees = self.data.limits, self.data.fee_schedule

        def price(amount_fen: int = 0) -> None:
            """The fee for what the customer has typed so far (no host call)."""
            try:
                amount = max(0, int(amount_fen))
            except (TypeError, ValueError):
                amount = 0
            self.s.update(**fee_view(fees, amount))

        self.s.show(Step.AMOUNT, message_id="enter_amount",
                    on={"submit": self.submit_amount, "back": self.back_to_payee, "price": price},
                    amount_fen=amount_fen, **fee_view(fees, amount_fen),
                    per_transaction_fen=limits.per_transaction_fen,
                    remaining_today_fen=max(0, limits.per_day_fen - limits.used_today_fen),
                    available_fen=self.account.available_fen, problem=problem)

    def amount_problem(self, amount: int) -> str:
        limits = self.data.limits
        if amount <= 0:
            return "amount_invalid"
        over = limit_problem(amount, limits.per_transaction_fen,
                             max(0, limits.per_day_fen - limits.used_today_fen))
        if over:
            return over
        fee = self.data.fee_schedule.fee(amount)
        if amount + fee > self.account.available_fen:   # the fee named only when there is one
            return "amount_over_available" if fee else "amount_over_balance"
        return ""

    def submit_amount(self, amount_fen: int = 0) -> None:
        try:
            amount = int(amount_fen)
        except (TypeError, ValueError):
            amount = 0
        problem = self.amount_problem(amount)
        if problem:
            self.ask_amount(amount, problem)
            return
        number = self.data.payee_account

        def job() -> tuple[int, Any]:
            fee = host(self.s).fee(amount, number)
            service = self.s.services.transfers
            assessment = service.assess(self.order(amount)) if service is not None else None
            return fee, assessment

        def priced(result: tuple[int, Any]) -> None:
            self.data.amount_fen = amount
            self.data.fee_fen, self.assessment = result
            self.warn()

        self.s.work("loading_limits", job, priced, retry=lambda: self.submit_amount(amount))

    def order(self, amount: int) -> Any:
        from ..host.models import TransferInstruction, TransferKind
        from ..transfers import TransferOrder
        same_bank = getattr(self.data.payee_check, "same_bank", False)
        kind = TransferKind.INTRABANK if same_bank else TransferKind.INTERBANK
        return TransferOrder(self.data.pan, TransferInstruction(
            self.account.account_id, self.data.payee_account, self.data.payee_name, amount, kind,
            auth_ref=self.data.auth_ref), saved_payee=self.saved_payee)

    # -- anti-fraud warning, confirmation ----------------------------------------------------
    def warn(self) -> None:
        warnings = ["fraud_warning"]
        found = self.assessment
        if found is not None and "new_payee" in found.warnings:
            warnings.append("fraud_warning_stranger")
        if found is not None and (found.hold or self.data.amount_fen >=
                                  self.s.config.risk.large_transfer_fen):
            warnings.append("fraud_warning_large")
        min_read = MIN_READ_S * (self.s.config.ui.elderly_timeout_factor if self.s.elderly else 1)
        shown_at = self.s.now()

        def acknowledge() -> None:
            if self.s.now() - shown_at < min_read:
                self.s.update(problem="fraud_read_first")
                return
            self.s.journal("transfer.fraud_warning_acknowledged", warnings=",".join(warnings))
            self.confirm_step()

        self.s.show(Step.FRAUD_WARNING, message_id="fraud_warning",
                    on={"acknowledge": acknowledge, "back": lambda: self.ask_amount()},
                    warnings=warnings, min_read_s=min_read, problem="", **self.payee_view())

    def payee_view(self) -> dict[str, Any]:
        """The payee and the amount as the warning, confirm and result screens show them."""
        d = self.data
        return {"to_masked": mask_number(d.payee_account),
                "to_name_masked": mask_name(d.payee_name), "bank_name": self.payee_bank(),
                "amount_fen": d.amount_fen}

    def payee_bank(self) -> Any:
        """The payee's bank in both languages as the host named it ("" before the check)."""
        check = self.data.payee_check
        return check.bank if check is not None else ""

    def confirm_step(self) -> None:
        d = self.data
        fee = d.fee_fen or 0
        self.s.show(Step.TRANSFER_CONFIRM, message_id="confirm_transfer",
                    on={"confirm": self.send, "back": lambda: self.ask_amount(d.amount_fen)},
                    from_masked=self.account.number_masked, fee_fen=fee,
                    total_fen=d.amount_fen + fee, **self.payee_view())

    # -- send ------------------------------------------------------------------------------
    def send(self) -> None:
        service = self.s.services.transfers
        if service is None:
            self.s.fail(describe(UnavailableError("no transfer service", "host_unavailable")))
            return
        order = self.order(self.data.amount_fen)
        new_payee = self.assessment is not None and "new_payee" in self.assessment.warnings

        def job() -> Any:
            return service.transfer(order, fraud_warning_acknowledged=True,
                                    new_payee_acknowledged=new_payee)

        def failed(exc: BaseException) -> None:
            reason = getattr(exc, "reason", "")   # journaled by the transfer service
            self.s.fail(Failure(reason, ("back", "ticket", "end")) if reason in _REFUSALS
                        else describe(exc))

        self.s.work("sending_transfer", job, lambda result: self.result(order, result),
                    failed=failed, critical=True)

    def on_device_event(self, event: Any) -> bool:
        if event.name == HELD_DECIDED:
            return self.held_decided(event.data)
        return super().on_device_event(event)

    def held_decided(self, decision: dict[str, Any]) -> bool:
        """Staff decided the transfer this customer waits for: the result screen follows."""
        held = self.data.transfer_result
        if held is None or held.outcome.value != "held" or held.stan != decision["stan"] \
                or self.s.state.step != Step.TRANSFER_RESULT:
            return False
        outcome = decision["outcome"] if decision["approved"] else "declined"
        self.result(self._held_order, replace(
            held, outcome=TransferOutcome(outcome), reference=decision.get("reference", ""),
            reason="" if decision["approved"] else "transfer_declined"))
        return True

    def result(self, order: Any, result: Any) -> None:
        self._held_order = order
        self.data.transfer_result = result
        outcome = result.outcome.value
        message = {"approved": "transfer_approved", "pending": "transfer_pending",
                   "held": "transfer_held"}.get(outcome, result.reason or "transfer_declined")
        self.paid_from = self.account
        if outcome == "approved":
            self.s.suggest("mobile_banking", "suggest_mobile_banking")
            self.data.accounts = []          # balances changed: fetch them again
        on = {"done": lambda: self.s.finish()}
        if outcome in ("approved", "pending"):   # held: nothing has happened to print yet
            on["receipt"] = lambda: self.print_receipt(order, result)
        elif result.reason in ("insufficient_funds", "limit_exceeded", "daily_limit_exceeded",
                               "invalid_amount"):
            on["amount"] = lambda: self.ask_amount(order.instruction.amount_fen, result.reason)
        timeout: Any = IDLE
        if outcome == "held":   # staff are on their way: no "more time?" while the customer waits
            timeout = self.s.config.risk.held_wait_s
            on["timeout"] = lambda: self.s.end("timeout")
        self.s.show(Step.TRANSFER_RESULT, message_id=message, on=on, outcome=outcome,
                    timeout=timeout,
                    reference=result.reference, **self.payee_view(),
                    # the host's fee once it is charged, else the one quoted before confirming
                    fee_fen=result.fee_fen if outcome == "approved" else self.data.fee_fen or 0)

    def print_receipt(self, order: Any, result: Any) -> None:
        from ..documents.receipt import transfer_receipt
        if not result.reference:
            from dataclasses import replace
            result = replace(result, reference=f"{self.s.config.host.terminal_id}{result.stan:06d}")
        paid_from, pan = self.paid_from, self.data.pan

        def balance_after() -> int | None:   # the host's figure, not one worked out here
            return next((a.balance_fen for a in host(self.s).accounts(pan)
                         if a.account_id == paid_from.account_id), None)

        def print_with(balance: int | None) -> None:
            print_document(self.s, transfer_receipt(
                order.instruction, result, paid_from, slip_context(self.s),
                balance_after_fen=balance,
                payee_bank=in_language(self.payee_bank(), self.s.state.language)),
                "printing_receipt")

        self.s.work("printing_receipt", balance_after, print_with,
                    failed=lambda exc: print_with(None))   # the receipt, without it


_REFUSALS = frozenset({"fraud_warning_not_acknowledged", "new_payee_not_acknowledged",
                       "daily_limit_exceeded", "recovery_incomplete", "invalid_amount"})
