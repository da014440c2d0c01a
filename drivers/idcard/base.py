"""ID card reader contract: modelled like a card reader (media) plus its own SAM status.

The public methods live here once: `poll()` (presence poll, raises media events), `read_card()`
(wait for a card, read it, parse it into an IdCardRecord). Backends implement the hooks
`_open`, `_close`, `_check_sam`, `_find_card` and `_read_document`.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import ClassVar

from ..base import DEFAULT_TIMEOUT_S, Capabilities, Device
from ..errors import NoCardError
from ..status import DeviceState, Media, Sam
from .errors import CardDataError, SamFault
from .record import IdCardRecord, parse_card


@dataclass(frozen=True)
class IdCardCapabilities(Capabilities):
    fingerprint: bool = False
    baud_rates: tuple[int, ...] = (115200, 9600)


@dataclass(frozen=True)
class CardData:
    """What a backend read from the card, still raw."""
    text: bytes
    photo: bytes = b""
    fingerprint: bytes = b""
    extra_address: bytes = b""


class IdCardReader(Device):
    """Events: MediaInsertedEvent, MediaRemovedEvent (no data: nothing personal in events)."""

    kind: ClassVar[str] = "idcard"
    status_defaults = {"device": DeviceState.STARTING, "media": Media.UNKNOWN, "sam": Sam.UNKNOWN}

    def __init__(self, name: str, *, port: str = "", timeout: float = DEFAULT_TIMEOUT_S,
                 poll_interval: float = 0.25, fingerprint: bool = False):
        super().__init__(name, port=port, timeout=timeout)
        if poll_interval <= 0:
            raise ValueError(f"{name}: poll_interval must be positive, got {poll_interval}")
        self.poll_interval = poll_interval
        self.fingerprint = fingerprint
        self.sam_id = ""
        self._io = threading.Lock()  # one exchange on the line at a time

    @property
    def capabilities(self) -> IdCardCapabilities:
        return IdCardCapabilities(fingerprint=self.fingerprint)

    # -- public ------------------------------------------------------------------------
    def open(self) -> None:
        super().open()
        if self.status()["sam"] != Sam.OK.value:
            self._set_status("device", DeviceState.HARDWARE_ERROR)

    def read_card(self, wait: float = 0.0) -> IdCardRecord:
        """Wait up to `wait` seconds for a card, then read and parse it.

        Raises NoCardError when none came, CardError for card problems, DeviceReportedError
        for reader/SAM faults and TransportError when the reader is gone.
        """
        started = time.monotonic()
        with self._io, self._translate("card read"):
            while not self._find_card():
                self._set_presence(False)
                left = started + wait - time.monotonic()
                if left <= 0:
                    raise NoCardError("no ID card on the reader", device=self.name,
                                      port=self.port, remedy="lay the ID card flat on the reader")
                time.sleep(min(self.poll_interval, left))
            self._set_presence(True)
            try:
                raw = self._read_document()
            except NoCardError:
                self._set_presence(False)
                raise
            except SamFault:
                self._sam_failed()
                raise
            try:
                record = parse_card(raw.text, photo=raw.photo, fingerprint=raw.fingerprint,
                                    extra_address=raw.extra_address)
            except CardDataError as exc:
                raise CardDataError(exc.detail, device=self.name, port=self.port,
                                    remedy="ask the customer to see the counter") from exc
        self.log.info("%s: read %s card %s in %.0f ms", self.name, record.card_type,
                      record.id_masked, (time.monotonic() - started) * 1000)
        return record

    # -- presence poll -----------------------------------------------------------------
    def _poll(self) -> None:
        if not self._io.acquire(blocking=False):
            return  # a read is in progress and reports presence itself
        try:
            if self.status()["sam"] != Sam.OK.value:
                if not self._check_sam():
                    return
                self._set_status("sam", Sam.OK)
                self._set_status("device", DeviceState.ONLINE)
            self._set_presence(self._find_card())
        finally:
            self._io.release()

    def _set_presence(self, present: bool) -> None:
        was = self.status()["media"]
        if self._set_status("media", Media.PRESENT if present else Media.NOT_PRESENT):
            if present:
                self._emit("MediaInsertedEvent")
            elif was == Media.PRESENT.value:
                self._emit("MediaRemovedEvent")

    def _sam_failed(self) -> None:
        self._set_status("sam", Sam.INOPERATIVE)
        self._set_status("device", DeviceState.HARDWARE_ERROR)

    # -- hooks for backends ---------------------------------------------------------------
    def _check_sam(self) -> bool:
        """Ask the SAM for its status; True when it works."""
        raise NotImplementedError

    def _find_card(self) -> bool:
        """One presence probe: True when a card is in the field."""
        raise NotImplementedError

    def _read_document(self) -> CardData:
        """Select the found card and read its text, photo (and fingerprint, extra address)."""
        raise NotImplementedError
