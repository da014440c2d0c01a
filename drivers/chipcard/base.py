"""Chip card reader contract: media and chip power status, insert/remove events, the card dialogue.

The public methods (APDU exchange with T=0 rules, timeout, masked trace; identity read, counters,
chip log, offline PIN) are written here once; a backend implements `_open/_close/_poll`,
`_transmit_raw(apdu, timeout)`, `_reset_card()` and reports the reader and card through
`_reader_seen(name)`, `_card_inserted(atr)` and `_card_removed()`.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, ClassVar, TypeVar

from ..base import Capabilities, Device
from ..errors import NoCardError
from ..status import ChipPower, DeviceState, Media
from .apdu import Response, exchange
from .apdu_trace import describe_command, describe_data
from .card_data import Application, CardCounters, ChipCardData, ChipLogEntry, PinResult
from .card_errors import ChipCardError, StatusWordError
from .emv import EmvSession

T = TypeVar("T")
ChooseApplication = Callable[[list[Application]], Application]


@dataclass(frozen=True)
class ChipCardCapabilities(Capabilities):
    type: str = "dip"  # XFS4IoT cardReader type: motor, swipe, dip, latchedDip, contactless...
    protocols: tuple[str, ...] = ("T0", "T1")


class ChipCardReader(Device):
    """Events: MediaInsertedEvent(atr=hex), MediaRemovedEvent."""

    kind: ClassVar[str] = "chipcard"
    status_defaults = {"device": DeviceState.STARTING, "media": Media.UNKNOWN,
                       "chipPower": ChipPower.UNKNOWN}
    poll_interval: float = 1.0

    def __init__(self, name: str, *, port: str = "", timeout: float = 5.0,
                 apdu_timeout: float = 3.0, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(name, port=port, timeout=timeout)
        if apdu_timeout <= 0:
            raise ValueError(f"{name}: apdu_timeout must be positive, got {apdu_timeout}")
        self.apdu_timeout = apdu_timeout
        self._today = today
        self._card_lock = threading.RLock()      # one card dialogue at a time
        self._card_present = threading.Event()
        self._atr: bytes | None = None
        self._session: EmvSession | None = None
        self._apdu_count = 0

    @property
    def capabilities(self) -> ChipCardCapabilities:
        return ChipCardCapabilities()

    # -- lifecycle: the backend says whether its reader is there -------------------------------
    def open(self) -> None:
        with self._translate("open"):
            self._open()
        self._set_status("device", self._reader_state())

    def _reader_state(self) -> DeviceState:
        return DeviceState.ONLINE

    # -- reports from the backend --------------------------------------------------------------
    def _reader_seen(self, reader: str | None) -> None:
        """The backend's reader is there (its name) or gone (None)."""
        if reader is None:
            self._card_removed()
            self._set_status("device", DeviceState.NO_DEVICE)
            self._set_status("media", Media.UNKNOWN)
            self._set_status("chipPower", ChipPower.NO_DEVICE)
        else:
            self._set_status("device", DeviceState.ONLINE)
            if self._atr is None:
                self._set_status("media", Media.NOT_PRESENT)
                self._set_status("chipPower", ChipPower.NO_CARD)

    def _card_inserted(self, atr: bytes) -> None:
        with self._lock:
            if self._atr == atr:
                return
            self._atr = atr
            self._session = None
        self._set_status("media", Media.PRESENT)
        self._set_status("chipPower", ChipPower.ONLINE)
        self._card_present.set()
        self._emit("MediaInsertedEvent", atr=atr.hex().upper())

    def _card_removed(self) -> None:
        with self._lock:
            had_card = self._atr is not None
            self._atr = None
            self._session = None
            self._card_present.clear()
        if had_card:
            self._set_status("media", Media.NOT_PRESENT)
            self._set_status("chipPower", ChipPower.NO_CARD)
            self._emit("MediaRemovedEvent")

    # -- card presence -------------------------------------------------------------------------
    @property
    def atr(self) -> str | None:
        atr = self._atr
        return atr.hex().upper() if atr is not None else None

    def wait_for_card(self, timeout: float) -> str:
        """Block until a card is in the reader; its ATR (hex). NoCardError after `timeout`."""
        if not self._card_present.wait(timeout):
            raise NoCardError(f"no card inserted within {timeout:g} s", device=self.name,
                              port=self.port, remedy="insert a chip card, chip first")
        return self.atr or ""

    @property
    def apdu_count(self) -> int:
        """Command APDUs sent since the reader was built (GET RESPONSEs included)."""
        return self._apdu_count

    # -- APDU exchange -------------------------------------------------------------------------
    def transmit(self, apdu: bytes) -> Response:
        """Send one command; 61xx/6Cxx are followed; every exchange has `apdu_timeout`."""
        with self._card_lock:
            resp = exchange(self._exchange_raw, bytes(apdu))
        if resp.data and self.log.isEnabledFor(logging.DEBUG):
            # the assembled answer, masked; T=0 fragments alone would not parse as TLV
            self.log.debug("%s APDU data %s", self.name, describe_data(resp.data))
        return resp

    def _exchange_raw(self, apdu: bytes) -> bytes:
        started = time.monotonic()
        with self._translate("APDU exchange"):
            raw = self._transmit_raw(apdu, self.apdu_timeout)
        self._apdu_count += 1
        self.log.debug("%s APDU %s -> %s, %d bytes (%.1f ms)", self.name,
                       describe_command(apdu), raw[-2:].hex().upper(), max(len(raw) - 2, 0),
                       (time.monotonic() - started) * 1000)
        return raw

    # -- the card dialogue ---------------------------------------------------------------------
    def _with_session(self, fn: Callable[[EmvSession], T]) -> T:
        with self._card_lock:
            with self._lock:
                if self._atr is None:
                    raise NoCardError("no card in the reader", device=self.name, port=self.port,
                                      remedy="insert a chip card, chip first")
                if self._session is None:
                    self._session = EmvSession(self.transmit, atr=self._atr.hex().upper(),
                                               reset=self._reset_card, today=self._today)
                session = self._session
            try:
                return fn(session)
            except ChipCardError as exc:
                self.log.info("%s: card refused: %s", self.name, exc.detail)
                raise exc.at(self.name, self.port) from exc

    def read_identity(self, choose_application: ChooseApplication | None = None) -> ChipCardData:
        """Select the application (the callback chooses when there are several), GPO, records."""
        return self._with_session(lambda s: s.read_identity(choose_application))

    def read_counters(self) -> CardCounters:
        return self._with_session(lambda s: s.read_counters())

    def pin_tries(self) -> int | None:
        """The PIN tries the chip has left (9F17); None when the card does not say."""
        try:
            return self.read_counters().pin_tries
        except StatusWordError:
            return None

    def read_log(self) -> list[ChipLogEntry]:
        return self._with_session(lambda s: s.read_log())

    def verify_pin(self, pin: str) -> PinResult:
        """Offline plaintext PIN; PinResult(ok, tries_left). PinBlockedError when locked."""
        return self._with_session(lambda s: s.verify_pin(pin))

    # -- hooks for backends --------------------------------------------------------------------
    def _transmit_raw(self, apdu: bytes, timeout: float) -> bytes:
        raise NotImplementedError

    def _reset_card(self) -> None:
        raise NotImplementedError
