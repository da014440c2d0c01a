"""A serial (or USB-serial) barcode scanner: one line of text per scan.

Typically 9600 8N1, each scan ended by CR, CRLF or LF, with an optional configured prefix and
suffix. Scanners with AIM identifiers start each scan with "]" + code letter + modifier
(]Q1 QR, ]E0 EAN-13, ]C0 Code 128), which gives the symbology; without them it is UNKNOWN and
drivers.barcode.scanned_codes lets the text decide. Honeywell trigger commands: SYN T CR starts, SYN U CR stops.
Bytes are read in `poll()` (the device manager calls it every `poll_interval` seconds), which
also notices an unplugged adapter: the read fails, the status becomes noDevice and the manager
reconnects.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import serial

from .scanned_codes import UNKNOWN_SYMBOLOGY

from ..errors import DeviceTimeout, NoDeviceError
from ..serial_port import open_serial
from .base import BarcodeCapabilities, BarcodeReader
from .reading import bytes_to_text

TRIGGER_START = b"\x16T\r"
TRIGGER_STOP = b"\x16U\r"
MAX_LINE_BYTES = 4096

_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_AIM_SYMBOLOGIES = {"]Q": "QRCODE", "]E0": "EAN13", "]E4": "EAN8", "]C": "CODE128",
                    "]A": "CODE39", "]I": "I25"}

Framing = Literal["cr", "crlf", "lf"]


def split_aim(text: str) -> tuple[str, str]:
    """(symbology, text without the AIM identifier); UNKNOWN when there is none."""
    if not _AIM.match(text):
        return UNKNOWN_SYMBOLOGY, text
    aim = text[:3]
    symbology = _AIM_SYMBOLOGIES.get(aim) or _AIM_SYMBOLOGIES.get(aim[:2], UNKNOWN_SYMBOLOGY)
    return symbology, text[3:]


class SerialScanner(BarcodeReader):
    def __init__(self, name: str, port: str, *, baud: int = 9600, framing: Framing = "cr",
                 prefix: str = "", suffix: str = "", trigger: bool = False,
                 timeout: float = 2.0, poll_interval: float = 0.05,
                 repeat_window_s: float = 1.0):
        super().__init__(name, port=port, timeout=timeout, repeat_window_s=repeat_window_s)
        if framing not in ("cr", "crlf", "lf"):
            raise ValueError(f"{name}: framing must be cr, crlf or lf, got {framing!r}")
        self.baud = baud
        self.framing = framing
        self.prefix = prefix.encode("utf-8")
        self.suffix = suffix.encode("utf-8")
        self.has_trigger = trigger
        self.poll_interval = poll_interval
        self._serial: serial.SerialBase | None = None
        self._buffer = bytearray()
        self._discarding = False  # inside a line that grew past MAX_LINE_BYTES

    @classmethod
    def from_config(cls, name: str, section: Any, config: Any) -> "SerialScanner":
        return cls(name, config.port(section.port), baud=section.baud, framing=section.framing,
                   prefix=section.prefix, suffix=section.suffix, trigger=section.trigger,
                   timeout=section.timeout_s, poll_interval=section.poll_interval_s,
                   repeat_window_s=section.repeat_window_s)

    @property
    def capabilities(self) -> BarcodeCapabilities:
        return BarcodeCapabilities(model="serial scanner",
                                   symbologies=tuple(sorted(set(_AIM_SYMBOLOGIES.values()))))

    # -- hooks --------------------------------------------------------------------------------
    def _open(self) -> None:
        if "://" not in self.port and not Path(self.port).exists():
            raise NoDeviceError("no scanner port", device=self.name, port=self.port,
                                remedy="check the scanner's cable and the port in the config")
        try:
            self._serial = open_serial(self.port, device=self.name, baudrate=self.baud,
                                       timeout=0, write_timeout=self.timeout)
        except (serial.SerialException, OSError) as exc:
            raise NoDeviceError(f"cannot open the scanner port: {exc}", device=self.name,
                                port=self.port,
                                remedy="check the scanner's cable and the port in the config",
                                ) from exc
        self._buffer.clear()
        self._discarding = False

    def _close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            port.close()

    def _poll(self) -> None:
        port = self._serial
        if port is None:
            raise NoDeviceError("scanner is not open", device=self.name, port=self.port,
                                remedy="open the scanner first")
        data = port.read(MAX_LINE_BYTES)  # timeout=0: returns what is buffered; fails if gone
        if data:
            self._buffer += data
            self._frames()

    def _start_scan(self) -> None:
        self._write(TRIGGER_START)

    def _stop_scan(self) -> None:
        self._write(TRIGGER_STOP)

    # -- framing ------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        port = self._serial
        if port is None:
            raise NoDeviceError("scanner is not open", device=self.name, port=self.port,
                                remedy="open the scanner first")
        try:
            port.write(data)
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout(f"trigger command not taken within {self.timeout} s",
                                device=self.name, port=self.port,
                                remedy="check the scanner's cable and power") from exc

    def _frames(self) -> None:
        end = b"\n" if self.framing == "lf" else b"\r"
        while (index := self._buffer.find(end)) >= 0:
            raw = bytes(self._buffer[:index])
            del self._buffer[:index + 1]
            if self._discarding or len(raw) > MAX_LINE_BYTES:
                self._discarding = False  # the end of an overlong line: the next one is clean
                self.log.warning("%s: dropped an overlong line", self.name)
                continue
            line = raw.strip(b"\r\n")  # the LF of CRLF arrives at the start of the next line
            if line:
                self._line(line)
        if len(self._buffer) > MAX_LINE_BYTES:
            self.log.warning("%s: dropping %d bytes without a line end (framing %s?)",
                             self.name, len(self._buffer), self.framing)
            self._buffer.clear()
            self._discarding = True

    def _line(self, line: bytes) -> None:
        if self.prefix:
            if not line.startswith(self.prefix):
                self.log.warning("%s: scan without the configured prefix ignored", self.name)
                return
            line = line[len(self.prefix):]
        if self.suffix:
            if not line.endswith(self.suffix):
                self.log.warning("%s: scan without the configured suffix ignored", self.name)
                return
            line = line[:-len(self.suffix)]
        symbology, text = split_aim(bytes_to_text(line))
        if text:
            self._code_read(symbology, text)
