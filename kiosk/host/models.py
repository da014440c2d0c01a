"""What the kiosk and the bank host say to each other, in the bank's words. Money is integer fen."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from drivers.privacy import mask_name, mask_number


def _at_least(low: int, **values: int) -> None:
    """Range check for figures that arrive from the host (a negative fee is never valid)."""
    for name, value in values.items():
        if value < low:
            raise ValueError(f"{name} below {low}")


@dataclass(frozen=True)
class Bilingual:
    """A text the host gives in Chinese and in English (bank names, transaction descriptions).
    Either may be missing ("" from a host that sends one language): `pick` falls back to the
    other, so a customer always sees what the host gave."""
    zh: str
    en: str = ""

    def pick(self, language: str) -> str:
        first, other = (self.en, self.zh) if language == "en" else (self.zh, self.en)
        return first or other


class TransferKind(str, Enum):
    OWN = "own"            # between the customer's own accounts
    INTRABANK = "intrabank"  # another customer of this bank
    INTERBANK = "interbank"  # another bank


class TransferOutcome(str, Enum):
    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"    # outcome unknown (timeout): reversal queued, customer told
    HELD = "held"          # large transfer held for staff confirmation


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    vip: bool = False


@dataclass(frozen=True)
class CardIdentity:
    customer: Customer
    pan_masked: str
    card_status: str  # active, lost, blocked, expired


@dataclass(frozen=True)
class PinResult:
    ok: bool
    tries_left: int
    locked: bool = False
    auth_ref: str = field(default="", repr=False)   # the host's proof of the PIN, for transfers

    def __post_init__(self) -> None:
        _at_least(0, tries_left=self.tries_left)


@dataclass(frozen=True)
class Account:
    number_masked: str
    account_id: str          # opaque host reference; never printed in full
    kind: str                # debit, savings, credit
    currency: str = "CNY"
    balance_fen: int = 0
    available_fen: int = 0


@dataclass(frozen=True)
class Transaction:
    posted_at: dt.datetime
    description: str         # in Chinese (or the one language the host gives)
    amount_fen: int          # signed: negative is a debit
    balance_fen: int
    reference: str
    counterparty_masked: str = ""
    description_en: str = ""  # in English; "" when the host gives none

    @property
    def descriptions(self) -> Bilingual:
        return Bilingual(self.description, self.description_en)


@dataclass(frozen=True)
class TransactionPage:
    items: list[Transaction]
    page: int
    page_size: int
    total: int

    def __post_init__(self) -> None:
        _at_least(0, page=self.page, page_size=self.page_size, total=self.total)


@dataclass(frozen=True)
class Statement:
    account: Account
    date_from: dt.date
    date_to: dt.date
    opening_fen: int
    closing_fen: int
    lines: list[Transaction] = field(default_factory=list)


@dataclass(frozen=True)
class PayeeCheck:
    matches: bool
    bank_name: str           # in Chinese (or the one language the host gives)
    name_masked: str         # e.g. 张*三
    same_bank: bool = False  # held at this bank: an intrabank transfer, no interbank fee
    bank_name_en: str = ""   # in English; "" when the host gives none

    @property
    def bank(self) -> Bilingual:
        return Bilingual(self.bank_name, self.bank_name_en)


@dataclass(frozen=True)
class Payee:
    """A saved payee (常用收款人). The full name and account number are for the transfer itself
    and stay in memory: repr, screens, receipts and the journal use the masked forms."""
    bank_name: str              # in Chinese (or the one language the host gives)
    name: str = field(repr=False)
    name_masked: str            # e.g. 测*丙
    account_number: str = field(repr=False)
    account_masked: str         # first 6 + last 4
    bank_name_en: str = ""      # in English; "" when the host gives none

    @classmethod
    def of(cls, bank_name: str, name: str, account_number: str,
           bank_name_en: str = "") -> "Payee":
        return cls(bank_name, name, mask_name(name), account_number, mask_number(account_number),
                   bank_name_en)

    @property
    def bank(self) -> Bilingual:
        return Bilingual(self.bank_name, self.bank_name_en)


@dataclass(frozen=True)
class Limits:
    per_transaction_fen: int
    per_day_fen: int
    used_today_fen: int

    def __post_init__(self) -> None:
        _at_least(0, per_transaction_fen=self.per_transaction_fen,
                  per_day_fen=self.per_day_fen, used_today_fen=self.used_today_fen)


@dataclass(frozen=True)
class FeeSchedule:
    """What a transfer to one payee costs: `rate_bp` basis points of the amount, at least
    `min_fen` and at most `max_fen`; all zero is free. The kiosk shows it as the customer
    types; the fee charged is the host's own quote for the amount (`HostLink.fee`)."""
    rate_bp: int
    min_fen: int
    max_fen: int

    def __post_init__(self) -> None:
        _at_least(0, rate_bp=self.rate_bp, min_fen=self.min_fen)
        _at_least(self.min_fen, max_fen=self.max_fen)
        if self.rate_bp > 10_000:
            raise ValueError("a fee rate above 100 %")

    @property
    def free(self) -> bool:
        return self.rate_bp == 0 and self.min_fen == 0

    def fee(self, amount_fen: int) -> int:
        if self.free or amount_fen <= 0:
            return 0
        return min(self.max_fen, max(self.min_fen, amount_fen * self.rate_bp // 10_000))


FREE = FeeSchedule(0, 0, 0)


@dataclass(frozen=True)
class TransferInstruction:
    """The money a customer moves, in the bank's words: what the host is told to do. The card
    behind it and the kiosk's own risk facts travel beside it (kiosk.transfers.TransferOrder)."""
    from_account_id: str
    to_account_number: str
    to_name: str
    amount_fen: int
    kind: TransferKind
    memo: str = ""
    auth_ref: str = ""          # PinResult.auth_ref of this card's PIN: the host refuses without

    def __repr__(self) -> str:
        return (f"TransferInstruction(to={mask_number(self.to_account_number)}, "
                f"amount_fen={self.amount_fen}, kind={self.kind.value})")


@dataclass(frozen=True)
class TransferRequest:
    """One instruction sent to the host under this terminal's trace number."""
    terminal_id: str
    stan: int
    instruction: TransferInstruction


@dataclass(frozen=True)
class TransferResult:
    outcome: TransferOutcome
    reference: str           # RRN for receipts and disputes
    fee_fen: int = 0
    reason: str = ""         # message id for the customer when not approved
    stan: int = 0            # the trace number the kiosk sent it under (journal ref)


@dataclass(frozen=True)
class LossReport:
    reference: str
    temporary: bool
    expires_on: dt.date


@dataclass(frozen=True)
class ReversalAdvice:
    """What a 0420/0421 reversal repeats of the original transfer (ISO 8583 field 90)."""
    terminal_id: str
    stan: int
    amount_fen: int
    from_account_id: str
    transmitted_at: str      # MMDDhhmmss of the original (field 7)


@dataclass(frozen=True)
class KindTotals:
    count: int = 0
    amount_fen: int = 0
    fee_fen: int = 0

    def __post_init__(self) -> None:
        _at_least(0, count=self.count, amount_fen=self.amount_fen, fee_fen=self.fee_fen)


@dataclass(frozen=True)
class SettlementTotals:
    """The host's view of one terminal's day (0500-class reconciliation)."""
    terminal_id: str
    day: dt.date
    by_kind: dict[str, KindTotals] = field(default_factory=dict)  # TransferKind value -> totals
    approved_stans: tuple[int, ...] = ()   # approved and not reversed
    reversed_stans: tuple[int, ...] = ()
