"""PC/SC backend (pcsc-lite through pyscard's scard module) for any reader pcscd knows.

Two private threads: the ReaderWatcher (insert/remove, reader and pcscd loss) and an I/O thread
that owns the PC/SC context and card handle used for APDUs. SCardTransmit has no timeout of its
own, so the caller waits for the I/O thread at most `apdu_timeout` and gets DeviceTimeout; a
hung call cannot block the kiosk. pcscd restarts are recovered by the watcher, so `poll()` only
keeps both threads alive and the status says noDevice while pcscd or the reader is away.
"""
from __future__ import annotations

import queue
import threading
from typing import Any, Callable, TypeVar

from smartcard import scard

from ..errors import DeviceTimeout, NoCardError, NoDeviceError, PortInUseError, TransportError
from ..status import DeviceState
from .base import ChipCardReader
from .card_errors import CardRemovedError
from .reader_watch import ReaderWatcher, hresult, scard_message

T = TypeVar("T")

FIRST_SCAN_S = 2.0
_CARD_GONE = {hresult(c) for c in (scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD,
                                   scard.SCARD_W_RESET_CARD, scard.SCARD_W_UNPOWERED_CARD)}
_SERVICE_GONE = {hresult(c) for c in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED,
                                      scard.SCARD_E_INVALID_HANDLE,
                                      scard.SCARD_E_READER_UNAVAILABLE,
                                      scard.SCARD_E_UNKNOWN_READER, scard.SCARD_F_COMM_ERROR)}
# One program talks to the card at a time: `kiosk diag chipcard` beside a running kiosk must
# not interleave its commands with a customer's card session.
SHARE_MODE = scard.SCARD_SHARE_EXCLUSIVE
_UNRESPONSIVE = {hresult(c) for c in (scard.SCARD_W_UNRESPONSIVE_CARD,
                                      scard.SCARD_W_UNSUPPORTED_CARD,
                                      scard.SCARD_E_NOT_TRANSACTED)}


class _IoThread:
    """Runs PC/SC calls one at a time on a thread of its own; callers wait with a timeout."""

    def __init__(self, label: str, port: str):
        self.label = label
        self.port = port
        self._jobs: queue.Queue = queue.Queue()   # (fn, result box, done event) or None: stop
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if not self.alive:
            self._jobs = queue.Queue()  # a fresh queue: a stop marker left behind stays behind
            self._thread = threading.Thread(target=self._run, args=(self._jobs,),
                                            name=f"{self.label}-io", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        thread = self._thread
        if thread is not None:
            self._jobs.put(None)
            thread.join(timeout)
        self._thread = None

    def call(self, fn: Callable[[], T], timeout: float, what: str) -> T:
        self.start()
        box: dict[str, Any] = {}
        done = threading.Event()
        self._jobs.put((fn, box, done))
        if not done.wait(timeout):
            raise DeviceTimeout(f"{what} took longer than {timeout:g} s", device=self.label,
                                port=self.port,
                                remedy="remove the card; if it repeats, check the reader")
        if "error" in box:
            raise box["error"]
        return box["result"]

    @staticmethod
    def _run(jobs: queue.Queue) -> None:
        while True:
            job = jobs.get()
            if job is None:
                return
            fn, box, done = job
            try:
                box["result"] = fn()
            except BaseException as exc:  # handed to the waiting caller, never kills the thread
                box["error"] = exc
            done.set()


class PcscReader(ChipCardReader):
    def __init__(self, name: str, *, reader: str, timeout: float = 5.0,
                 apdu_timeout: float = 3.0, **kwargs: Any):
        super().__init__(name, port=reader, timeout=timeout, apdu_timeout=apdu_timeout, **kwargs)
        self.reader_pattern = reader
        self.reader_name: str | None = None
        self._watcher = ReaderWatcher(reader, on_reader=self._on_reader, on_card=self._on_card,
                                      label=name)
        self._io = _IoThread(name, reader)
        # owned by the I/O thread only
        self._context: int | None = None
        self._card: int | None = None
        self._protocol: int = 0
        self._card_generation = 0
        self._connected_generation = -1

    @classmethod
    def from_config(cls, name: str, section: Any, config: Any = None) -> "PcscReader":
        return cls(name, reader=section.reader, timeout=section.timeout_s,
                   apdu_timeout=section.apdu_timeout_s)

    @property
    def readers_seen(self) -> list[str]:
        return list(self._watcher.readers_seen)

    @property
    def service_error(self) -> str | None:
        return self._watcher.service_error

    # -- watcher reports -----------------------------------------------------------------------
    def _on_reader(self, reader: str | None) -> None:
        self.reader_name = reader
        self._reader_seen(reader)

    def _on_card(self, atr: bytes | None) -> None:
        if atr is None:
            if self._atr is not None:
                self._card_generation += 1
            self._card_removed()
        else:
            if self._atr is not None and self._atr != atr:
                self._card_generation += 1
                self._card_removed()
            if self._atr is None:
                self._card_generation += 1
            self._card_inserted(atr)

    # -- Device hooks --------------------------------------------------------------------------
    def _open(self) -> None:
        self._io.start()
        self._watcher.start()
        self._watcher.first_pass.wait(min(self.timeout, FIRST_SCAN_S))

    def _reader_state(self) -> DeviceState:
        return DeviceState.ONLINE if self.reader_name else DeviceState.NO_DEVICE

    def _close(self) -> None:
        self._watcher.stop()
        try:
            self._io.call(self._release, self.timeout, "closing the PC/SC context")
        except TransportError:
            self.log.warning("%s: PC/SC release hung; abandoning it", self.name)
        self._io.stop()
        self._card_removed()
        self.reader_name = None

    def _poll(self) -> None:
        if not self._watcher.alive:
            self.log.error("%s: card watcher thread stopped; restarting it", self.name)
            self._watcher.start()
        if not self._io.alive:
            self.log.error("%s: PC/SC I/O thread stopped; restarting it", self.name)
            self._io.start()

    def _transmit_raw(self, apdu: bytes, timeout: float) -> bytes:
        return self._io.call(lambda: self._transmit_on_io(apdu), timeout, "APDU exchange")

    def _reset_card(self) -> None:
        def reset() -> None:
            card = self._connect()
            hr, self._protocol = scard.SCardReconnect(
                card, SHARE_MODE, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
                scard.SCARD_RESET_CARD)
            if hresult(hr) != hresult(scard.SCARD_S_SUCCESS):
                self._drop_card()
                raise TransportError(f"warm reset failed: {scard_message(hr)}",
                                     device=self.name, port=self.port)
        self._io.call(reset, self.apdu_timeout, "card reset")

    # -- on the I/O thread ---------------------------------------------------------------------
    def _ensure_context(self) -> int:
        if self._context is None:
            hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult(hr) != hresult(scard.SCARD_S_SUCCESS):
                raise NoDeviceError(f"pcscd not reachable: {scard_message(hr)}",
                                    device=self.name, port=self.port,
                                    remedy="start pcscd (scripts/dev.sh does) and check the reader")
            self._context = context
        return self._context

    def _connect(self) -> int:
        if self._card is not None and self._connected_generation == self._card_generation:
            return self._card
        self._drop_card()
        reader = self.reader_name
        if reader is None:
            raise NoDeviceError("no reader matches", device=self.name, port=self.port,
                                remedy="plug the reader in or fix devices.chipcard.reader")
        generation = self._card_generation
        fresh = self._context is None
        hr, card, protocol = scard.SCardConnect(
            self._ensure_context(), reader, SHARE_MODE,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        code = hresult(hr)
        if code in _SERVICE_GONE and not fresh:
            # our context predates a pcscd restart the watcher already recovered from
            self._release()
            return self._connect()
        if code != hresult(scard.SCARD_S_SUCCESS):
            self._check_service(code, hr)
            if code in _CARD_GONE:
                raise NoCardError("no card in the reader", device=self.name, port=reader,
                                  remedy="insert a chip card, chip first")
            if code == hresult(scard.SCARD_E_SHARING_VIOLATION):
                raise PortInUseError("another program is using the card", device=self.name,
                                     port=reader, remedy="is the kiosk running? stop it or use "
                                     "the technician mode")
            raise TransportError(f"connecting to the card failed: {scard_message(hr)}",
                                 device=self.name, port=reader, remedy="insert the card again")
        self._card, self._protocol, self._connected_generation = card, protocol, generation
        self.log.debug("%s: connected to card in %s, protocol %s", self.name, reader,
                       "T=0" if protocol == scard.SCARD_PROTOCOL_T0 else "T=1")
        return card

    def _check_service(self, code: int, hr: int) -> None:
        if code in _SERVICE_GONE:
            self._release()
            raise NoDeviceError(f"the reader or pcscd went away: {scard_message(hr)}",
                                device=self.name, port=self.port,
                                remedy="check that pcscd runs and the reader is plugged in")

    def _transmit_on_io(self, apdu: bytes) -> bytes:
        card = self._connect()
        hr, response = scard.SCardTransmit(card, self._protocol, list(apdu))
        code = hresult(hr)
        if code == hresult(scard.SCARD_S_SUCCESS):
            return bytes(response)
        self._check_service(code, hr)
        self._drop_card()
        if code in _CARD_GONE:
            raise CardRemovedError(f"the card left the reader during a command "
                                   f"({scard_message(hr)})", device=self.name, port=self.port)
        if code in _UNRESPONSIVE:
            raise CardRemovedError(f"the card does not answer ({scard_message(hr)})",
                                   device=self.name, port=self.port)
        raise TransportError(f"APDU exchange failed: {scard_message(hr)}", device=self.name,
                             port=self.port, remedy="remove and insert the card again")

    def _drop_card(self) -> None:
        card, self._card = self._card, None
        if card is not None:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)

    def _release(self) -> None:
        self._drop_card()
        context, self._context = self._context, None
        if context is not None:
            scard.SCardReleaseContext(context)
