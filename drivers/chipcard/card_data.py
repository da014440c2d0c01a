"""What the chip tells us, as typed values. Reprs mask the card number and the ID number."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from drivers.privacy import mask_number

# PBOC 9F62 cardholder ID types
ID_TYPES = {0: "id_card", 1: "officer_card", 2: "passport", 3: "arrival_card",
            4: "temporary_id_card", 5: "other"}


@dataclass(frozen=True)
class Application:
    """One payment application the card offers (a PSE/PPSE entry or a selected AID)."""
    aid: str                 # hex
    label: str = ""
    priority: int = 0        # 87 low nibble: 1 highest, 0 none
    preferred_name: str = ""

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.label or self.aid


@dataclass(frozen=True, repr=False)
class ChipCardData:
    """The identity read: enough to look the card up at the host, no counters, no log."""
    atr: str
    aid: str
    label: str
    pan: str
    pan_sequence: str | None
    expiry: dt.date
    effective: dt.date | None
    name: str
    cardholder_id: str | None
    cardholder_id_type: str | None
    service_code: str | None
    applications: tuple[Application, ...] = field(default=())

    @property
    def pan_masked(self) -> str:
        return mask_number(self.pan)

    @property
    def cardholder_id_masked(self) -> str | None:
        return mask_number(self.cardholder_id) if self.cardholder_id else None

    @property
    def expiry_month(self) -> str:
        return f"{self.expiry:%Y-%m}"

    def __repr__(self) -> str:
        return (f"ChipCardData(aid={self.aid!r}, label={self.label!r}, pan={self.pan_masked!r}, "
                f"expiry={self.expiry_month!r}, name={self.name!r}, "
                f"cardholder_id={self.cardholder_id_masked!r}, "
                f"cardholder_id_type={self.cardholder_id_type!r})")

    __str__ = __repr__


@dataclass(frozen=True)
class CardCounters:
    """GET DATA values: PIN tries left, transaction counters, electronic-cash balance (yuan)."""
    pin_tries: int | None
    atc: int | None
    ec_balance: Decimal | None


@dataclass(frozen=True)
class ChipLogEntry:
    """One record of the chip's own transaction log (not the account statement)."""
    date: dt.date | None
    time: dt.time | None
    amount: Decimal | None
    amount_other: Decimal | None
    currency: int | None
    country: int | None
    merchant: str
    transaction_type: int | None
    atc: int | None


@dataclass(frozen=True)
class PinResult:
    ok: bool
    tries_left: int | None  # None when the card does not say (after a correct PIN)
