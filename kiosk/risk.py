"""Risk rules before a transfer (anti-fraud and anti-money-laundering duties).

- The anti-fraud (telecom fraud) warning must be acknowledged before any transfer.
- The first transfer from a card to a payee needs a new-payee warning acknowledged.
- A per-card daily limit at the kiosk.
- A transfer above the large-transfer threshold is held for staff confirmation (`on_hold`).
- Repeated transfers just under that threshold are flagged for staff (`on_flag`); they go ahead.

History comes from the journal (approved and held transfers carry keyed digests of the card
and payee numbers, never the numbers themselves).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Callable

from kiosk.journal import Journal

log = logging.getLogger(__name__)

FRAUD_WARNING = "fraud_warning"
NEW_PAYEE = "new_payee"
STRUCTURING = "structuring"


class TransferRefused(Exception):
    """The kiosk will not send this transfer; `reason` is a message id from host.link.REASONS."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class RiskAssessment:
    warnings: tuple[str, ...]   # what the customer must acknowledge: fraud_warning, new_payee
    hold: bool                  # large transfer: staff must confirm
    flags: tuple[str, ...]      # reported to staff, transfer goes ahead: structuring
    used_today_fen: int = 0


@dataclass(frozen=True)
class RiskFlag:
    rule: str
    card_masked: str
    amount_fen: int
    detail: str


def number_key(number: str, secret: bytes) -> str:
    """A keyed digest of a card or account number: lets rules recognise a payee without storing it."""
    return hmac.new(secret, number.strip().encode(), hashlib.sha256).hexdigest()[:32]


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class RiskRules:
    def __init__(self, section, journal: Journal, secret: bytes, *,
                 on_flag: Callable[[RiskFlag], None] | None = None,
                 clock: Callable[[], dt.datetime] = _now):
        self.section = section
        self._journal = journal
        self._secret = secret
        self._clock = clock
        self.on_flag = on_flag

    def key(self, number: str) -> str:
        return number_key(number, self._secret)

    def known_payee(self, card_key: str, payee_key: str) -> bool:
        return bool(self._journal.find(("transfer.approved",), limit=1, card_key=card_key,
                                       payee_key=payee_key))

    def assess(self, pan: str, to_account_number: str, amount_fen: int, *,
               saved_payee: bool = False) -> RiskAssessment:
        """What the customer must acknowledge and whether staff must confirm. A payee on the
        bank's list of the customer's payees (paid before, anywhere) is no stranger."""
        section = self.section
        now = self._clock()
        card_key, payee_key = self.key(pan), self.key(to_account_number)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        used = self._journal.total(("transfer.approved",), "amount_fen", since=midnight,
                                   card_key=card_key)
        warnings = [FRAUD_WARNING]
        if not saved_payee and not self.known_payee(card_key, payee_key):
            warnings.append(NEW_PAYEE)
        flags = []
        floor = int(section.large_transfer_fen * section.structuring_ratio)
        if floor <= amount_fen <= section.large_transfer_fen:
            since = now - dt.timedelta(hours=section.structuring_window_h)
            recent = {r["stan"]: r for r in self._journal.find(  # a released hold counts once
                ("transfer.approved", "transfer.held"), since=since, card_key=card_key)}
            near = [r for r in recent.values()
                    if floor <= r["amount_fen"] <= section.large_transfer_fen]
            if len(near) + 1 >= section.structuring_count:
                flags.append(STRUCTURING)
        return RiskAssessment(tuple(warnings), amount_fen > section.large_transfer_fen,
                              tuple(flags), used)

    def check(self, pan: str, to_account_number: str, amount_fen: int, card_masked: str, *,
              fraud_warning_acknowledged: bool, new_payee_acknowledged: bool,
              saved_payee: bool = False) -> RiskAssessment:
        """Refuse (TransferRefused) what must not be sent; report flags; say whether to hold."""
        if not fraud_warning_acknowledged:
            raise TransferRefused("the anti-fraud warning was not acknowledged",
                                  "fraud_warning_not_acknowledged")
        found = self.assess(pan, to_account_number, amount_fen, saved_payee=saved_payee)
        if NEW_PAYEE in found.warnings and not new_payee_acknowledged:
            raise TransferRefused("first transfer to this payee was not acknowledged",
                                  "new_payee_not_acknowledged")
        if found.used_today_fen + amount_fen > self.section.daily_limit_fen:
            raise TransferRefused("over the kiosk's daily transfer limit", "daily_limit_exceeded")
        for rule in found.flags:
            flag = RiskFlag(rule, card_masked, amount_fen,
                            f"{self.section.structuring_count} or more transfers just under "
                            f"{self.section.large_transfer_fen} fen within "
                            f"{self.section.structuring_window_h:g} h")
            log.warning("risk flag %s for card %s", rule, card_masked)
            self._journal.record("risk.flagged", rule=rule, card=card_masked,
                                 amount_fen=amount_fen, detail=flag.detail)
            if self.on_flag is not None:
                try:
                    self.on_flag(flag)
                except Exception:
                    log.exception("on_flag hook failed")
        return found
