"""Everything one customer's session knows about them, and how it is wiped.

All customer data lives in one `CustomerData` object; the session drops it (and zeroes the PIN
digits) the moment the customer's session ends, so nothing outlives the visit.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from ..pin_block import PinDigits


@dataclass
class CustomerData:
    # bank card (chip) and what the host said about it
    pan: str = ""
    pan_sequence: str | None = None
    card_identity: Any = None          # kiosk.host.models.CardIdentity
    card_present: bool = False
    pin_verified: bool = False
    auth_ref: str = field(default="", repr=False)   # the host's proof of the PIN, for transfers
    pin_tries_left: int | None = None
    pin_digits: PinDigits = field(default_factory=PinDigits)   # never a str
    # ID card
    id_record: Any = None              # the ID card driver's record
    id_number: str = ""
    id_name: str = ""
    idcard_present: bool = False
    # appointment code
    appointment: Any = None
    # accounts and queries
    accounts: list[Any] = field(default_factory=list)
    selected_account: int = 0
    # transfer in progress
    payee_account: str = ""
    payee_name: str = ""
    payee_check: Any = None
    limits: Any = None
    fee_schedule: Any = None        # for the payee in fee_schedule_payee
    fee_schedule_payee: str = ""
    amount_fen: int = 0
    fee_fen: int | None = None
    transfer_result: Any = None
    # lost card
    lost_card_number: str = ""
    loss_report: Any = None
    # things to remember for the customer's journey
    services_used: list[str] = field(default_factory=list)

    @property
    def customer(self) -> Any:
        return getattr(self.card_identity, "customer", None)

    @property
    def vip(self) -> bool:
        return bool(getattr(self.customer, "vip", False))

    @property
    def display_name(self) -> str:
        name = getattr(self.customer, "name", "") or self.id_name
        return name or ""

    def clear_pin(self) -> None:
        self.pin_digits.clear()

    def wipe(self) -> None:
        """Zero the PIN digits and drop every reference to customer data."""
        self.clear_pin()
        fresh = CustomerData()
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))

    def is_empty(self) -> bool:
        return self == CustomerData()
