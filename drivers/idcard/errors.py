"""What an ID card reader's status byte (SW3) means, as errors of the driver families.

Reader and SAM faults are DeviceReportedError subclasses, card problems CardError subclasses,
"no card" (80) is a NoCardError; a garbled reply on the line is a TransportError (FrameError).
"""
from __future__ import annotations

from ..errors import CardError, DeviceError, DeviceReportedError, NoCardError, TransportError

SW3_OK = 0x90
SW3_FIELD_EMPTY = 0x91
SW3_CARD_FOUND = 0x9F


class FrameError(TransportError):
    """The reply on the line was garbled (bad checksum, impossible length, no preamble)."""


class ReaderStatusError(DeviceError):
    """Mixin state for errors that come from an SW3 status byte."""
    sw3: int = 0


class CommandRejected(ReaderStatusError, DeviceReportedError):
    """The reader refused the command frame itself (checksum, length, unknown command)."""


class SamFault(ReaderStatusError, DeviceReportedError):
    """The reader's security module (SAM) cannot work: the reader needs service."""


class CardNotFound(ReaderStatusError, NoCardError):
    """No ID card in the reader's field (SW3 80)."""


class CardReadError(ReaderStatusError, CardError):
    """The card was found but could not be selected or read (moved away, badly placed)."""


class CardAuthenticationError(ReaderStatusError, CardError):
    """Card and SAM did not authenticate each other, or the data did not verify."""


class UnknownCardType(ReaderStatusError, CardError):
    """The card in the field is not a resident ID card or residence card the SAM knows."""


class FingerprintMismatch(ReaderStatusError, CardError):
    """Fingerprint verification failed."""


class FieldEmpty(ReaderStatusError, CardError):
    """The requested field is empty on this card (SW3 91)."""


class CardDataError(CardError):
    """The card's text block holds something that is not a valid value for its field."""


_SERVICE = "call a technician to service the ID card reader"
_RETRY = "try again; if it keeps happening, restart the reader"
_REPLACE = "lay the card flat and still on the reader and try again"
_COUNTER = "ask the customer to use another ID document or see the counter"

# SW3 -> (error class, meaning, what to do)
SW3_ERRORS: dict[int, tuple[type[ReaderStatusError], str, str]] = {
    0x10: (CommandRejected, "reader received a command with a bad checksum", _RETRY),
    0x11: (CommandRejected, "reader received a command with a bad length", _RETRY),
    0x21: (CommandRejected, "reader does not know this command", _SERVICE),
    0x23: (SamFault, "operation not authorised by the SAM", _SERVICE),
    0x24: (SamFault, "reader reported an unknown error", _SERVICE),
    0x31: (CardAuthenticationError, "card failed to authenticate the SAM", _COUNTER),
    0x32: (CardAuthenticationError, "SAM failed to authenticate the card", _COUNTER),
    0x33: (CardAuthenticationError, "card data failed verification", _COUNTER),
    0x37: (FingerprintMismatch, "fingerprint verification failed", _COUNTER),
    0x3F: (CommandRejected, "reader reported a length error", _RETRY),
    0x40: (UnknownCardType, "unknown card type", _COUNTER),
    0x41: (CardReadError, "reading the card failed", _REPLACE),
    0x47: (SamFault, "SAM failed to generate a random number", _SERVICE),
    0x60: (SamFault, "SAM self-test failed", _SERVICE),
    0x66: (SamFault, "SAM is not authorised", _SERVICE),
    0x80: (CardNotFound, "no ID card found", "lay the ID card flat on the reader"),
    0x81: (CardReadError, "selecting the card failed", _REPLACE),
    SW3_FIELD_EMPTY: (FieldEmpty, "field is empty on this card", _COUNTER),
}

# codes that say the reader refused the frame itself: raised at once, never a card problem
REJECTED_CODES = frozenset(c for c, (cls, _, _) in SW3_ERRORS.items() if cls is CommandRejected)


def sw3_error(sw3: int, command: str, *, device: str = "", port: str = "") -> ReaderStatusError:
    """The error for a non-success SW3 in reply to `command` (unknown codes are SAM faults)."""
    cls, meaning, remedy = SW3_ERRORS.get(
        sw3, (SamFault, "reader returned an undocumented status", _SERVICE))
    err = cls(f"{command}: {meaning} (SW3 {sw3:02X})", device=device, port=port, remedy=remedy)
    err.sw3 = sw3
    return err
