"""Why a chip card cannot be used: one CardError subclass per reason, each with a reason code.

The reason codes are a public contract (journal, diagnostics, screens pick their text by them).
"""
from __future__ import annotations

from ..errors import CardError


class ChipCardError(CardError):
    """Base of the chip card reasons; `reason` is a stable code, `sw` the status word if any."""

    reason = "card_error"
    default_remedy = "ask the customer to remove the card and insert it again"

    def __init__(self, message: str, *, device: str = "", port: str = "",
                 remedy: str | None = None, sw: int | None = None):
        self.sw = sw
        super().__init__(message, device=device, port=port,
                         remedy=self.default_remedy if remedy is None else remedy)

    def at(self, device: str, port: str) -> "ChipCardError":
        """The same error, naming the reader it happened on."""
        moved = type(self)(self.detail, device=device, port=port, remedy=self.remedy, sw=self.sw)
        for key, value in self.__dict__.items():  # e.g. card_data on CardExpiredError
            moved.__dict__.setdefault(key, value)
        return moved


class MalformedCardDataError(ChipCardError):
    """The card answered something that does not follow EMV (bad TLV, AFL, record)."""
    reason = "malformed_data"
    default_remedy = "the card is faulty: ask the customer to contact the issuing bank"


class TlvError(MalformedCardDataError):
    """BER-TLV or DOL bytes that cannot be decoded (truncated, bad length, bad tag)."""
    reason = "malformed_tlv"


class StatusWordError(ChipCardError):
    """The card refused a command with a status word the flow cannot continue after."""
    reason = "unexpected_status"


class CardBlockedError(ChipCardError):
    """SELECT answered 6A81: the whole card is blocked."""
    reason = "card_blocked"
    default_remedy = "the card is blocked: ask the customer to contact the issuing bank"


class ApplicationBlockedError(ChipCardError):
    """SELECT answered 6283: the payment application is blocked."""
    reason = "application_blocked"
    default_remedy = "the card's application is blocked: ask the customer to visit the counter"


class NoApplicationError(ChipCardError):
    """No UnionPay application on the card (no PSE, PPSE or known AID)."""
    reason = "no_application"
    default_remedy = "this card is not supported: ask for a UnionPay bank card"


class CardExpiredError(ChipCardError):
    """The application expiry date (5F24) has passed."""
    reason = "card_expired"
    default_remedy = "the card has expired: ask the customer to renew it at the counter"


class Track2MismatchError(ChipCardError):
    """Track 2 equivalent data (57) names another card number than 5A."""
    reason = "track2_mismatch"
    default_remedy = "the card data is inconsistent: refer the customer to the counter"


class PinBlockedError(ChipCardError):
    """The offline PIN try counter is 0 (or VERIFY answered 6983/6984)."""
    reason = "pin_blocked"
    default_remedy = "the PIN is locked: the customer must unlock it at the counter"


class CardRemovedError(ChipCardError):
    """The card left the reader during a command."""
    reason = "card_removed"
    default_remedy = "ask the customer to insert the card again and leave it in until asked"
