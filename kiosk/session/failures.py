"""Every device or host failure, turned into a message id and the ways forward.

One mapping for the whole session, so the same failure always reads the same to the customer.
"""
from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import CardError, DeviceError, DeviceReportedError, NoCardError

from ..device_conditions import print_fault_message, unavailable_message
from ..host.link import HostDeclined, HostError, HostMalformed, HostTimeout
from .messages import DEFAULT_TEXT

RETRY_FIRST = ("retry", "ticket", "call_staff", "end")
COUNTER = ("ticket", "call_staff", "end")


@dataclass(frozen=True)
class Failure:
    message_id: str
    ways: tuple[str, ...] = RETRY_FIRST
    detail: str = ""


class UnavailableError(Exception):
    """A part of the kiosk this service needs is not installed or not running."""

    def __init__(self, message: str, message_id: str = "device_unavailable"):
        super().__init__(message)
        self.message_id = message_id


def unavailable(device: str) -> UnavailableError:
    """The fault for a device this service needs that is not there (devices are named by
    their kind)."""
    return UnavailableError(f"{device} is not available", unavailable_message(device))

_CARD_MESSAGES = {"chipcard": "card_unreadable", "idcard": "idcard_unreadable"}
# What the chip itself says about the card (drivers.chipcard.card_errors reasons)
_CARD_REFUSALS = {"card_expired": "card_expired", "card_blocked": "card_blocked",
                  "application_blocked": "card_blocked", "pin_blocked": "pin_locked",
                  "no_application": "card_not_accepted"}


def describe(exc: BaseException) -> Failure:
    """The customer's view of a failure."""
    if isinstance(exc, UnavailableError):
        return Failure(exc.message_id, COUNTER)
    if isinstance(exc, HostDeclined):
        reason = exc.reason if exc.reason in DEFAULT_TEXT else "host_error"
        return Failure(reason, COUNTER if reason in _COUNTER_REASONS else ("back", "ticket", "end"))
    if isinstance(exc, HostTimeout):
        return Failure("host_timeout")
    if isinstance(exc, HostMalformed):
        return Failure("host_malformed")
    if isinstance(exc, HostError):
        reason = exc.reason if exc.reason in DEFAULT_TEXT else "host_unavailable"
        return Failure(reason)
    if isinstance(exc, CardError) and getattr(exc, "reason", "") in _CARD_REFUSALS:
        return Failure(_CARD_REFUSALS[exc.reason], COUNTER)   # reading it again changes nothing
    if isinstance(exc, CardError):
        device = exc.device if exc.device in _CARD_MESSAGES else "chipcard"
        if isinstance(exc, NoCardError):
            return Failure(_CARD_MESSAGES[device])
        return Failure(_CARD_MESSAGES[device], ("retry", "ticket", "end"))
    if isinstance(exc, DeviceReportedError) and exc.device == "printer":
        return Failure(print_fault_message(getattr(exc, "fault", "")), ("call_staff", "end"))
    if isinstance(exc, DeviceError):  # transport failures and whatever else a device reports
        return Failure(unavailable_message(exc.device), COUNTER)
    return Failure("host_error", COUNTER)


# Host reasons the customer cannot fix at the machine: the counter can.
_COUNTER_REASONS = frozenset({"card_blocked", "card_expired", "card_lost", "pin_locked",
                              "not_permitted", "card_unknown", "account_unknown"})
