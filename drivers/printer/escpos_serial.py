"""ESC/POS receipt printer on a serial line (USB adapter, pty, or a pyserial URL).

Status comes from DLE EOT 1-4, each answered within `status_timeout_ms`; a printer that does
not answer is offline, never "paper OK". After each page GS r 1 (answered only once everything
before it has been processed) tells that the page really came out.
"""
from __future__ import annotations

import os
import termios
import time
from typing import Any

import serial

from .document import Page

from ..errors import DeviceTimeout, NoDeviceError, TransportError
from ..serial_port import open_serial
from . import escpos
from .base import PrinterCapabilities, PrinterStatus, ReceiptPrinter
from .receipt_layout import layout_page

SECONDS_PER_LINE = 0.03   # mechanism time per printed line, generous for 150 mm/s heads
CONFIRM_SLACK_S = 0.5


class EscPosPrinter(ReceiptPrinter):
    def __init__(self, name: str, *, port: str, baud: int = 115200, status_timeout_ms: int = 50,
                 timeout: float = 10.0, capabilities: PrinterCapabilities | None = None,
                 poll_interval: float = 2.0):
        super().__init__(name, port=port, timeout=timeout, capabilities=capabilities,
                         poll_interval=poll_interval)
        if status_timeout_ms <= 0:
            raise ValueError(f"{name}: status_timeout_ms must be positive")
        self.baud = baud
        self.status_timeout = status_timeout_ms / 1000
        self._serial: serial.SerialBase | None = None

    @classmethod
    def from_config(cls, name: str, section: Any, config: Any) -> "EscPosPrinter":
        port = config.port(section.port)
        caps = PrinterCapabilities(model="escpos", paper_width_chars=section.paper_width_chars,
                                   paper_width_dots=section.paper_width_dots,
                                   cutter=section.cutter, qr=section.qr,
                                   code_page=section.code_page)
        return cls(name, port=port, baud=section.baud,
                   status_timeout_ms=section.status_timeout_ms, timeout=section.timeout_s,
                   capabilities=caps, poll_interval=section.poll_interval_s)

    # -- hooks -------------------------------------------------------------------------------
    def _open(self) -> None:
        if "://" not in self.port and not os.path.exists(self.port):
            raise NoDeviceError("serial port not found", device=self.name, port=self.port,
                                remedy="check the printer's USB cable and the port in the "
                                       "configuration")
        self._serial = open_serial(self.port, device=self.name, baudrate=self.baud,
                                   timeout=self.status_timeout, write_timeout=self.timeout)

    def _close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            port.close()

    def _port(self) -> serial.SerialBase:
        if self._serial is None:
            raise NoDeviceError("port is not open", device=self.name, port=self.port,
                                remedy="open the printer first")
        return self._serial

    def _query(self, n: int) -> int | None:
        port = self._port()
        port.write(escpos.status_request(n))
        deadline = time.monotonic() + self.status_timeout
        while True:
            reply = port.read(1)
            if reply and escpos.is_status_byte(reply[0]):
                return reply[0]
            # A late GS r 1 reply is not a status byte: skip it while there is time left.
            if not reply or time.monotonic() >= deadline:
                return None

    def _read_status(self) -> PrinterStatus:
        port = self._port()
        try:
            port.reset_input_buffer()
        except termios.error as exc:  # not an OSError: the pty or adapter went away
            raise TransportError(f"port failed: {exc}", device=self.name, port=self.port,
                                 remedy="check the printer's USB cable") from exc
        started = time.monotonic()
        replies = []
        for n in (1, 2, 3, 4):
            value = self._query(n)
            if value is None:
                elapsed = (time.monotonic() - started) * 1000
                self.log.debug("%s: no answer to DLE EOT %d within %.0f ms", self.name, n,
                               self.status_timeout * 1000)
                return PrinterStatus(answered=False, status_ms=round(elapsed, 1))
            replies.append(value)
        elapsed = (time.monotonic() - started) * 1000
        bits = escpos.StatusBytes(*replies)
        return PrinterStatus(answered=True, online=not bits.offline, paper=bits.paper,
                             cover_open=bits.cover_open, cutter_error=bits.cutter_error,
                             recoverable_error=bits.recoverable_error,
                             unrecoverable_error=bits.unrecoverable_error,
                             status_ms=round(elapsed, 1))

    def _encode_page(self, page: Page) -> list[bytes]:
        return layout_page(page, self.capabilities)

    def _send(self, data: bytes) -> None:
        try:
            self._port().write(data)
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout(f"could not send {len(data)} bytes within {self.timeout:.0f} s",
                                device=self.name, port=self.port,
                                remedy="check the cable and that the printer is switched on"
                                ) from exc

    def _wait_printed(self, nbytes: int, lines: int) -> bool:
        port = self._port()
        port.write(escpos.paper_sensor_request())
        wait = min(self.timeout, nbytes * 10 / self.baud + lines * SECONDS_PER_LINE
                   + CONFIRM_SLACK_S)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            reply = port.read(1)
            # A GS r reply has bit 4 clear; a late DLE EOT reply has it set.
            if reply and not reply[0] & 0x10:
                return True
        return False
