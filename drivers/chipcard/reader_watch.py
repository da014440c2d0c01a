"""Our own PC/SC insert/remove watcher: SCardGetStatusChange in a loop on a private context.

pyscard's CardMonitor thread dies when pcscd restarts; this one re-establishes its context on any
service error, so it survives pcscd restarts and reader unplug/replug. It reports through two
callbacks, called on its thread: `on_reader(name | None)` on every pass (the receiver dedupes)
and `on_card(atr | None)`. An unexpected exception is logged and the loop starts over.
"""
from __future__ import annotations

import fnmatch
import logging
import threading
from typing import Any, Callable

from smartcard import scard

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
WAIT_MS = 500
RETRY_S = 0.2

OK = scard.SCARD_S_SUCCESS
TIMEOUT = scard.SCARD_E_TIMEOUT
CANCELLED = scard.SCARD_E_CANCELLED
NO_READERS = scard.SCARD_E_NO_READERS_AVAILABLE
UNKNOWN_READER = scard.SCARD_E_UNKNOWN_READER


def hresult(value: int) -> int:
    return value & 0xFFFFFFFF


def scard_message(value: int) -> str:
    try:
        return f"{scard.SCardGetErrorMessage(value)} (0x{hresult(value):08X})"
    except Exception:  # the message lookup itself must never break error reporting
        return f"0x{hresult(value):08X}"


def match_reader(pattern: str, readers: list[str]) -> str | None:
    """The reader named exactly `pattern`, else the first matching it as an fnmatch pattern."""
    if pattern in readers:
        return pattern
    hits = [r for r in readers if fnmatch.fnmatchcase(r, pattern)]
    return hits[0] if hits else None


def list_readers(context: int, api: Any = scard) -> tuple[int, list[str]]:
    hr, readers = api.SCardListReaders(context, [])
    if hresult(hr) == hresult(NO_READERS):
        return OK, []
    return hr, list(readers or [])


class ReaderWatcher:
    def __init__(self, pattern: str, *, on_reader: Callable[[str | None], None],
                 on_card: Callable[[bytes | None], None], label: str = "chipcard",
                 api: Any = scard):
        self.pattern = pattern
        self.api = api  # the PC/SC calls (pyscard's scard module; tests pass a fake PC/SC)
        self.on_reader = on_reader
        self.on_card = on_card
        self.label = label
        self.first_pass = threading.Event()
        self.readers_seen: list[str] = []
        self.service_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: int | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.alive:
            return
        self._stop.clear()
        self.first_pass.clear()
        self._thread = threading.Thread(target=self._run, name=f"{self.label}-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        context = self._context
        if context is not None:
            self.api.SCardCancel(context)  # wakes SCardGetStatusChange at once
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None

    # -- the loop ------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._watch_one_context()
            except Exception:  # the watcher must never die: log, report, start over
                log.exception("%s watcher failed; starting over", self.label)
                self._report_gone()
            if not self._stop.is_set():
                self._stop.wait(RETRY_S)

    def _report_gone(self) -> None:
        self.on_card(None)
        self.on_reader(None)

    def _watch_one_context(self) -> None:
        hr, context = self.api.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult(hr) != hresult(OK):
            self.service_error = f"pcscd not reachable: {scard_message(hr)}"
            self._report_gone()
            self.first_pass.set()
            return
        self.service_error = None
        self._context = context
        try:
            self._watch(context)
        finally:
            self._context = None
            self.api.SCardReleaseContext(context)

    def _watch(self, context: int) -> None:
        reader: str | None = None
        reader_state = scard.SCARD_STATE_UNAWARE
        pnp_state = scard.SCARD_STATE_UNAWARE
        card_events: int | None = None
        while not self._stop.is_set():
            hr, readers = list_readers(context, self.api)
            if hresult(hr) != hresult(OK):
                log.info("%s: listing readers failed: %s", self.label, scard_message(hr))
                self._report_gone()
                return
            self.readers_seen = readers
            found = match_reader(self.pattern, readers)
            if found != reader:
                if reader is not None:
                    self.on_card(None)
                reader, reader_state, card_events = found, scard.SCARD_STATE_UNAWARE, None
            self.on_reader(reader)
            if reader is None:
                self.on_card(None)
                self.first_pass.set()   # nothing to wait for: the reader is not there
            states = [(PNP_READER, pnp_state)]
            if reader is not None:
                states.append((reader, reader_state))
            hr, new_states = self.api.SCardGetStatusChange(context, WAIT_MS, states)
            self.first_pass.set()
            code = hresult(hr)
            if code in (hresult(TIMEOUT), hresult(CANCELLED)):
                continue
            if code == hresult(UNKNOWN_READER):
                reader = None
                continue
            if code != hresult(OK):
                log.info("%s: status wait failed: %s; new context", self.label,
                         scard_message(hr))
                self._report_gone()
                return
            for name, event, atr in new_states:
                if name == PNP_READER:
                    pnp_state = event & ~scard.SCARD_STATE_CHANGED
                    continue
                reader_state = event & ~scard.SCARD_STATE_CHANGED
                if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                    reader = None
                    self.on_card(None)
                elif event & scard.SCARD_STATE_PRESENT and atr:
                    count = event >> 16   # pcsc-lite's card event counter: a swapped card
                    if card_events is not None and count != card_events:
                        self.on_card(None)
                    card_events = count
                    self.on_card(bytes(atr))
                elif event & scard.SCARD_STATE_EMPTY:
                    card_events = event >> 16
                    self.on_card(None)
