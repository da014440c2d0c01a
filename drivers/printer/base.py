"""Receipt printer contract: paper, cover and cutter status, paper threshold events, print jobs.

The base owns the job logic once: a status check before each job, the page printed in small
chunks with a status check after each, a page counted as printed only when the printer has
confirmed it, and a fault reported with how far the job got (`PrinterFault.pages_done`).
Backends implement `_open`, `_close`, `_read_status`, `_encode_page`, `_send`, `_wait_printed`.
"""
from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Callable, ClassVar

from .document import Document, Page

from ..base import DEFAULT_TIMEOUT_S, Capabilities, Device
from ..errors import DeviceReportedError
from ..status import Cover, DeviceState, Media, Paper

CHUNK_PIECES = 8  # lines sent between two status checks


@dataclass(frozen=True)
class PrinterCapabilities(Capabilities):
    paper_width_chars: int = 48
    paper_width_dots: int = 576
    cutter: bool = True
    qr: bool = True
    code_page: str = "gb18030"


class Cutter(str, Enum):
    """The autocutter (XFS4IoT has no name for it; the values follow the other enums)."""
    OK = "ok"
    ERROR = "error"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "notSupported"

    def __str__(self) -> str:
        return self.value


# The device state each fault sets and what the person on site should do; FAULT_STATUS is the
# status field and value that show it (what that means for the kiosk: kiosk.device_conditions).
FAULTS: dict[str, tuple[DeviceState, str]] = {
    "offline": (DeviceState.OFFLINE, "the printer does not answer: check its power and cable"),
    "paperOut": (DeviceState.USER_ERROR, "replace the paper roll"),
    "coverOpen": (DeviceState.USER_ERROR, "close the printer cover"),
    "cutterError": (DeviceState.HARDWARE_ERROR,
                    "open the cover, clear the cutter jam and close the cover"),
    "unrecoverableError": (DeviceState.HARDWARE_ERROR, "switch the printer off and on; "
                           "call maintenance if it persists"),
    # Auto-recoverable errors (print head too hot) pass by themselves.
    "recoverableError": (DeviceState.DEVICE_BUSY, "wait a minute for the printer to recover"),
}
FAULT_STATUS: dict[str, tuple[str, str]] = {
    "offline": ("device", DeviceState.OFFLINE.value), "paperOut": ("paper", Paper.OUT.value),
    "coverOpen": ("cover", Cover.OPEN.value), "cutterError": ("cutter", Cutter.ERROR.value),
    "unrecoverableError": ("device", DeviceState.HARDWARE_ERROR.value),
    "recoverableError": ("device", DeviceState.DEVICE_BUSY.value),
}


@dataclass(frozen=True)
class PrinterStatus:
    """One reading of the printer. `answered` False means nothing is known: never paper OK."""
    answered: bool
    online: bool = False
    paper: str = Paper.UNKNOWN.value
    cover_open: bool | None = None
    cutter_error: bool | None = None
    recoverable_error: bool | None = None
    unrecoverable_error: bool | None = None
    status_ms: float = 0.0

    @property
    def fault(self) -> str | None:
        """The most pressing reason the printer cannot print now, or None."""
        if not self.answered:
            return "offline"
        for name, flag in (("unrecoverableError", self.unrecoverable_error),
                           ("cutterError", self.cutter_error),
                           ("coverOpen", self.cover_open),
                           ("paperOut", self.paper == Paper.OUT.value),
                           ("recoverableError", self.recoverable_error)):
            if flag:
                return name
        return None if self.online else "offline"

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        del data["answered"]
        return data


class PrinterFault(DeviceReportedError):
    """The printer cannot print (or stopped printing). `pages_done` pages came out whole."""

    def __init__(self, fault: str, *, device: str, port: str, pages_done: int = 0,
                 lines_sent: int = 0, reference: str = ""):
        self.fault = fault
        self.pages_done = pages_done
        self.lines_sent = lines_sent
        self.reference = reference
        where = f"job {reference}: " if reference else ""
        super().__init__(f"{where}{fault} after {pages_done} whole page(s)",
                         device=device, port=port, remedy=FAULTS[fault][1])


PageCallback = Callable[[int], None]


class ReceiptPrinter(Device):
    """Events: PaperThresholdEvent(paper=full|low|out), MediaPresentedEvent(reference, pages)."""

    kind: ClassVar[str] = "printer"
    status_defaults = {"device": DeviceState.STARTING, "paper": Paper.UNKNOWN,
                       "media": Media.UNKNOWN, "cover": Cover.UNKNOWN, "cutter": Cutter.UNKNOWN}

    def __init__(self, name: str, *, port: str = "", timeout: float = DEFAULT_TIMEOUT_S,
                 capabilities: PrinterCapabilities | None = None, poll_interval: float = 2.0):
        super().__init__(name, port=port, timeout=timeout)
        self._caps = capabilities or PrinterCapabilities()
        self.poll_interval = poll_interval
        self._job_lock = threading.RLock()  # a listener may ask for the status again
        self._last = PrinterStatus(answered=False)

    @property
    def capabilities(self) -> PrinterCapabilities:
        return self._caps

    @property
    def last_status(self) -> PrinterStatus:
        return self._last

    # -- public --------------------------------------------------------------------------
    def open(self) -> None:
        """Open the port, then ask the printer: the device is online only if it answers."""
        with self._translate("open"):
            self._open()
            self._refresh()
        # Plain ESC/POS printers have no sensor at the exit slot: presented, never taken.
        self._set_status("media", Media.NOT_SUPPORTED)

    def read_status(self) -> PrinterStatus:
        """Ask the printer now (waits for a running job to finish its current check)."""
        with self._job_lock, self._translate("status"):
            return self._refresh()

    def print_document(self, document: Document, *, start_page: int = 0,
                       on_page: PageCallback | None = None) -> int:
        """Print pages `start_page`.. of `document`; return the number of pages now printed.

        `on_page(n)` is called each time the first n pages are known to be printed whole.
        Raises PrinterFault (with pages_done) when the printer cannot go on.
        """
        pages = document.pages
        if not 0 <= start_page < len(pages):
            raise ValueError(f"{document.kind} {document.reference}: no page {start_page + 1} "
                             f"(it has {len(pages)})")
        with self._job_lock, self._translate("print"):
            self._check(self._refresh(ask_again=True), document, start_page, 0)
            self.log.info("%s: printing %s %s pages %d-%d", self.name, document.kind,
                          document.reference, start_page + 1, len(pages))
            for index in range(start_page, len(pages)):
                self._print_page(document, index)
                if on_page is not None:
                    on_page(index + 1)
        self._emit("MediaPresentedEvent", reference=document.reference, pages=len(pages))
        return len(pages)

    # -- shared logic ----------------------------------------------------------------------
    def _poll(self) -> None:
        if not self._job_lock.acquire(blocking=False):
            return  # a job is printing and checks the status itself
        try:
            self._refresh()
        finally:
            self._job_lock.release()

    def _print_page(self, document: Document, index: int) -> None:
        pieces = self._encode_page(document.pages[index])
        lines = 0
        for start in range(0, len(pieces), CHUNK_PIECES):
            chunk = pieces[start:start + CHUNK_PIECES]
            self._send(b"".join(chunk))
            lines += len(chunk)
            self._check(self._refresh(ask_again=True), document, index, lines)
        confirmed = self._wait_printed(sum(map(len, pieces)), lines)
        self._check(self._refresh(ask_again=True), document, index, lines)
        if not confirmed:
            self.log.warning("%s: printer did not confirm page %d of %s; status is healthy",
                             self.name, index + 1, document.reference)

    def _check(self, status: PrinterStatus, document: Document, pages_done: int,
               lines: int) -> None:
        fault = status.fault
        if fault:
            error = PrinterFault(fault, device=self.name, port=self.port, pages_done=pages_done,
                                 lines_sent=lines, reference=document.reference)
            self.log.warning("%s", error)
            raise error

    def _refresh(self, ask_again: bool = False) -> PrinterStatus:
        """Read the status and publish what changed. `ask_again`: during a job, a missed
        answer on a busy line is asked once more before the job is given up as offline."""
        status = self._read_status()
        if ask_again and not status.answered:
            status = self._read_status()
        self._last = status
        self._set_status("cover", Cover.UNKNOWN if status.cover_open is None
                         else Cover.OPEN if status.cover_open else Cover.CLOSED)
        if not self._caps.cutter:
            cutter = Cutter.NOT_SUPPORTED
        elif status.cutter_error is None:
            cutter = Cutter.UNKNOWN
        else:
            cutter = Cutter.ERROR if status.cutter_error else Cutter.OK
        self._set_status("cutter", cutter)
        if self._set_status("paper", status.paper) and status.paper != Paper.UNKNOWN.value:
            if status.paper == Paper.LOW.value:
                self.log.warning("%s on %s: paper near end, replace the roll soon",
                                 self.name, self.port)
            self._emit("PaperThresholdEvent", paper=status.paper)
        fault = status.fault
        self._set_status("device", FAULTS[fault][0] if fault else DeviceState.ONLINE)
        return status

    # -- hooks for backends -----------------------------------------------------------------
    def _read_status(self) -> PrinterStatus:
        """Ask the printer; return PrinterStatus(answered=False) when it does not answer."""
        raise NotImplementedError

    def _encode_page(self, page: Page) -> list[bytes]:
        """The page in the printer's language, one piece per line."""
        raise NotImplementedError

    def _send(self, data: bytes) -> None:
        raise NotImplementedError

    def _wait_printed(self, nbytes: int, lines: int) -> bool:
        """Wait until the printer has printed everything sent; False if it cannot say."""
        raise NotImplementedError
