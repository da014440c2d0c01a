"""Crash-safe transfers: journal PENDING before sending, reverse when the outcome is unknown.

Journal rows per transfer (ref = terminal id : day : STAN):
  transfer.held -> transfer.released | transfer.rejected        (large transfers, staff decide)
  transfer.pending -> transfer.approved | transfer.declined | transfer.reversed
  transfer.pending -> transfer.unknown (timeout/garbled answer, reversal queued) -> transfer.reversed
A transfer is open while it has `transfer.pending` and none of the closing rows. `recover()` at
start-up queues a reversal for every open transfer, sends them, and closes each one the host
answered; until every transfer is closed `ready` is False and `transfer()` refuses to run.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import asdict, dataclass
from typing import Callable

from drivers.privacy import mask_name, mask_number
from kiosk.held_transfers import HeldTransfers
from kiosk.host.link import HostDeclined, HostError, HostLink, HostTimeout, HostUnavailable
from kiosk.host.models import (ReversalAdvice, TransferInstruction, TransferKind,
                               TransferOutcome, TransferRequest, TransferResult)
from kiosk.host.reversal_queue import ReversalQueue
from kiosk.host.stan import StanCounter
from kiosk.journal import Journal
from kiosk.keys import KeyRing, SecretKey
from kiosk.risk import RiskRules, TransferRefused

log = logging.getLogger(__name__)

CLOSING = ("transfer.approved", "transfer.declined", "transfer.reversed")


@dataclass(frozen=True)
class TransferOrder:
    """What the customer asked for, before risk rules and the host see it: the instruction for
    the host, the card it is made with, and what the risk rules know about the payee."""
    pan: str
    instruction: TransferInstruction
    saved_payee: bool = False   # from the host's list of the customer's payees: not a stranger

    def request(self, terminal_id: str, stan: int) -> TransferRequest:
        """The host's request for this order, sent under `stan`."""
        return TransferRequest(terminal_id, stan, self.instruction)

    def __repr__(self) -> str:
        return f"TransferOrder(pan={mask_number(self.pan)}, {self.instruction!r})"


@dataclass(frozen=True)
class HeldTransfer:
    """A large transfer waiting for staff (what the `on_hold` hook receives; numbers masked)."""
    stan: int
    ref: str
    card_masked: str
    to_account_masked: str
    to_name_masked: str
    amount_fen: int
    held_at: str


@dataclass(frozen=True)
class RecoveryReport:
    open_found: int
    reversed: int          # the host moved money back
    nothing_to_reverse: int  # the host never applied the original (or had refused it)
    still_open: int        # host not answering: the kiosk must not serve transfers yet
    seconds: float


class TransferService:
    def __init__(self, host: HostLink, journal: Journal, state_path, *, terminal_id: str,
                 risk: RiskRules, card_key: SecretKey, on_hold: Callable[[HeldTransfer], None] | None = None,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()):
        self.host = host
        self.journal = journal
        self.risk = risk
        self.terminal_id = terminal_id
        self.on_hold = on_hold
        self._clock = clock
        self._stans = StanCounter(state_path)
        self._reversals = ReversalQueue(state_path)
        self._held = HeldTransfers(state_path, card_key.derive("held-transfers"))
        self.ready = False
        self._lock = threading.RLock()   # one transfer at a time; recovery never overlaps one

    @classmethod
    def from_config(cls, config, host: HostLink, journal: Journal, **kwargs) -> "TransferService":
        card_key = KeyRing.from_config(config).card   # held apart: not derivable from the config
        risk_kwargs = {"clock": kwargs["clock"]} if "clock" in kwargs else {}
        risk = RiskRules(config.risk, journal, card_key.derive("number-key"),
                         on_flag=kwargs.pop("on_flag", None), **risk_kwargs)
        return cls(host, journal, config.path(config.host.state),
                   terminal_id=config.host.terminal_id, risk=risk, card_key=card_key, **kwargs)

    def close(self) -> None:
        self._stans.close()
        self._reversals.close()
        self._held.close()

    def ref(self, stan: int, day: dt.date | None = None) -> str:
        """The journal ref of a transfer: terminal, day and STAN (STANs wrap; days do not)."""
        return f"{self.terminal_id}:{(day or self._clock().date()):%Y%m%d}:{stan:06d}"

    # -- start-up ------------------------------------------------------------------------------
    def recover(self) -> RecoveryReport:
        """Resolve every open transfer before any customer is served."""
        with self._lock:
            return self._recover()

    def _recover(self) -> RecoveryReport:
        started = time.monotonic()
        open_refs = self.journal.open_refs("transfer.pending", CLOSING)
        for ref in open_refs:
            pending = self.journal.find(("transfer.pending",), limit=1, ref=ref)[0]
            self._reversals.add(self._advice(pending))
        counts = self._drain()
        still = len(self.journal.open_refs("transfer.pending", CLOSING))
        self.ready = still == 0
        report = RecoveryReport(len(open_refs), counts[0], counts[1], still,
                                time.monotonic() - started)
        self.journal.record("transfer.recovery", open_found=report.open_found,
                            reversed=report.reversed, nothing_to_reverse=report.nothing_to_reverse,
                            still_open=still)
        if still:
            log.error("%d transfers still unresolved: transfers stay closed until the host answers",
                      still)
        return report

    def _advice(self, pending: dict) -> ReversalAdvice:
        return ReversalAdvice(self.terminal_id, pending["stan"], pending["amount_fen"],
                              pending["from_account_id"], pending["transmitted_at"])

    def _drain(self) -> tuple[int, int]:
        """Send due reversals, then close every open transfer whose reversal the host answered
        (also those answered before a crash that came before their journal row)."""
        answered = self._reversals.drain(self.host)
        moved = sum(1 for _, host_reversed in answered if host_reversed)
        for ref in self.journal.open_refs("transfer.pending", CLOSING):
            pending = self.journal.find(("transfer.pending",), limit=1, ref=ref)[0]
            host_reversed = self._reversals.outcome(self.terminal_id, pending["stan"],
                                                    pending["transmitted_at"])
            if host_reversed is not None:
                self.journal.record("transfer.reversed", ref=ref, stan=pending["stan"],
                                    amount_fen=pending["amount_fen"], host_reversed=host_reversed)
        return moved, len(answered) - moved

    def drain_reversals(self) -> int:
        """Send queued reversals again (call periodically while any are due); how many remain."""
        with self._lock:
            self._drain()
            return len(self._reversals.due())

    def reversal_backlog(self) -> tuple[int, dt.datetime | None]:
        """(reversals still due, when the oldest was queued) for the host watch's alert."""
        return self._reversals.backlog()

    # -- transfers -----------------------------------------------------------------------------
    def assess(self, order: TransferOrder):
        """Warnings to show and whether staff must confirm, before the customer commits."""
        return self.risk.assess(order.pan, order.instruction.to_account_number,
                                order.instruction.amount_fen, saved_payee=order.saved_payee)

    def transfer(self, order: TransferOrder, *, fraud_warning_acknowledged: bool,
                 new_payee_acknowledged: bool = False) -> TransferResult:
        """Run a transfer; raises TransferRefused for what the kiosk will not send."""
        with self._lock:
            return self._transfer(order, fraud_warning_acknowledged, new_payee_acknowledged)

    def _ensure_ready(self) -> None:
        """Retry an unfinished recovery; send reversals still due from earlier timeouts."""
        if not self.ready:
            self._recover()
        elif self._reversals.due():
            self._drain()
        if not self.ready:
            raise TransferRefused("earlier transfers are still being resolved",
                                  "recovery_incomplete")

    def _transfer(self, order: TransferOrder, fraud_warning_acknowledged: bool,
                  new_payee_acknowledged: bool) -> TransferResult:
        card = mask_number(order.pan)
        amount_fen = order.instruction.amount_fen
        try:  # every refusal is journaled here, once
            self._ensure_ready()
            if amount_fen <= 0:
                raise TransferRefused("amount must be positive", "invalid_amount")
            found = self.risk.check(order.pan, order.instruction.to_account_number, amount_fen,
                                    card,
                                    saved_payee=order.saved_payee,
                                    fraud_warning_acknowledged=fraud_warning_acknowledged,
                                    new_payee_acknowledged=new_payee_acknowledged)
        except TransferRefused as exc:
            self.journal.record("transfer.refused", pan=order.pan, amount_fen=amount_fen,
                                reason=exc.reason)
            raise
        stan = self._stans.next()
        if found.hold:
            return self._hold(stan, order)
        return self._send(stan, order, self.ref(stan))

    def _fields(self, stan: int, order: TransferOrder) -> dict:
        ins = order.instruction
        return {"stan": stan, "pan": order.pan, "to_account_number": ins.to_account_number,
                "to_name": mask_name(ins.to_name), "amount_fen": ins.amount_fen,
                "kind": ins.kind.value, "from_account_id": ins.from_account_id,
                "card_key": self.risk.key(order.pan),
                "payee_key": self.risk.key(ins.to_account_number)}

    def _send(self, stan: int, order: TransferOrder, ref: str) -> TransferResult:
        fields = self._fields(stan, order)
        transmitted_at = self._clock().strftime("%m%d%H%M%S")
        self.journal.record("transfer.pending", ref=ref, transmitted_at=transmitted_at, **fields)
        request = order.request(self.terminal_id, stan)
        try:
            result = self.host.transfer(request)
        except HostUnavailable as exc:
            # Nothing reached the host (no connection, database busy): safe to close as declined.
            self.journal.record("transfer.declined", ref=ref, reason=exc.reason, **fields)
            return TransferResult(TransferOutcome.DECLINED, "", 0, exc.reason, stan)
        except HostDeclined as exc:
            self.journal.record("transfer.declined", ref=ref, reason=exc.reason, **fields)
            return TransferResult(TransferOutcome.DECLINED, "", 0, exc.reason, stan)
        except HostError as exc:
            # Timeout or garbled answer: it may have been approved. Reverse, never resend.
            return self._unknown(stan, ref, order, transmitted_at, exc)
        if result.outcome is TransferOutcome.APPROVED:
            self.journal.record("transfer.approved", ref=ref, reference=result.reference,
                                fee_fen=result.fee_fen, outcome="approved", **fields)
        else:
            self.journal.record("transfer.declined", ref=ref, reason=result.reason, **fields)
        return result

    def _unknown(self, stan: int, ref: str, order: TransferOrder, transmitted_at: str,
                 exc: HostError) -> TransferResult:
        reason = "host_timeout" if isinstance(exc, HostTimeout) else exc.reason
        log.warning("transfer %s outcome unknown (%s): reversal queued", ref, reason)
        self.journal.record("transfer.unknown", ref=ref, stan=stan, reason=reason)
        self._reversals.add(ReversalAdvice(self.terminal_id, stan, order.instruction.amount_fen,
                                           order.instruction.from_account_id, transmitted_at))
        self._drain()
        if self._reversals.outcome(self.terminal_id, stan, transmitted_at) is not None:
            return TransferResult(TransferOutcome.DECLINED, "", 0, reason, stan)
        return TransferResult(TransferOutcome.PENDING, "", 0, reason, stan)

    # -- held transfers --------------------------------------------------------------------------
    def _hold(self, stan: int, order: TransferOrder) -> TransferResult:
        ref = self.ref(stan)
        ins = order.instruction
        self._held.add(stan, {"pan": order.pan, **asdict(ins), "kind": ins.kind.value})
        self.journal.record("transfer.held", ref=ref, reason="held_for_review", held_ref=ref,
                            **self._fields(stan, order))
        held = HeldTransfer(stan, ref, mask_number(order.pan),
                            mask_number(ins.to_account_number), mask_name(ins.to_name),
                            ins.amount_fen, self._clock().isoformat(timespec="seconds"))
        log.info("transfer %s held for staff confirmation", ref)
        if self.on_hold is not None:
            try:
                self.on_hold(held)
            except Exception:
                log.exception("on_hold hook failed for %s", ref)
        return TransferResult(TransferOutcome.HELD, "", 0, "held_for_review", stan)

    def _held_ref(self, stan: int) -> str:
        held = self.journal.find(("transfer.held",), limit=1, stan=stan)
        return held[0]["held_ref"] if held else self.ref(stan)

    def _take_held(self, stan: int) -> TransferOrder:
        held = self._held.take(stan)
        if held is None:
            raise KeyError(f"no held transfer with STAN {stan:06d}")
        pan = held.pop("pan")
        held["kind"] = TransferKind(held["kind"])
        return TransferOrder(pan, TransferInstruction(**held))   # auth_ref: absent in old rows

    def held(self) -> list[int]:
        return self._held.stans()

    def release_held(self, stan: int, staff_id: str) -> TransferResult:
        """Staff confirmed the large transfer: send it under its STAN."""
        with self._lock:
            self._ensure_ready()
            order = self._take_held(stan)
            ref = self._held_ref(stan)
            self.journal.record("transfer.released", ref=ref, stan=stan, staff=staff_id)
            return self._send(stan, order, ref)

    def reject_held(self, stan: int, staff_id: str) -> None:
        with self._lock:
            self._take_held(stan)
            self.journal.record("transfer.rejected", ref=self._held_ref(stan), stan=stan,
                                staff=staff_id)
