"""Resident ID card readers with a SAM on a serial line (USB-serial adapters, ptys).

Chosen by config: `port` is a device path (or a pyserial URL such as socket://host:port),
`baud` a rate or "auto" (try 115200, then 9600, by asking the SAM for its status).
"""
from __future__ import annotations

import struct
import termios
import time
from typing import Any

from ..base import DEFAULT_TIMEOUT_S
from ..errors import DeviceTimeout, NoDeviceError, TransportError
from ..serial_port import open_serial
from ..status import Sam
from .base import CardData, IdCardReader
from .errors import REJECTED_CODES, FieldEmpty, FrameError, sw3_error
from .frames import (FIND_CARD, READ_BASE, READ_BASE_FINGERPRINT, READ_EXTRA_ADDRESS, SAM_ID,
                     SAM_STATUS, SELECT_CARD, Command, FrameDecoder, Reply, parse_reply,
                     split_base_message)

AUTO_BAUDS = (115200, 9600)
PROBE_TIMEOUT_S = 0.3
# each read returns as soon as the bytes it asks for are there, or after this slice; the
# timeout is set once because changing it re-applies termios, which some USB adapters dislike
READ_SLICE_S = 0.05
RETRIES = 1  # a garbled reply or a command the reader got garbled is sent once more


class SamSerialReader(IdCardReader):
    def __init__(self, name: str, *, port: str, baud: int | str = "auto",
                 timeout: float = DEFAULT_TIMEOUT_S, poll_interval: float = 0.25,
                 fingerprint: bool = False, extra_address: bool = True,
                 probe_timeout: float = PROBE_TIMEOUT_S):
        super().__init__(name, port=port, timeout=timeout, poll_interval=poll_interval,
                         fingerprint=fingerprint)
        if baud != "auto" and (not isinstance(baud, int) or baud <= 0):
            raise ValueError(f"{name}: baud must be a positive integer or 'auto', got {baud!r}")
        self.baud_setting = baud
        self.baud = 0  # the rate in use once open
        self.extra_address = extra_address
        self.probe_timeout = probe_timeout
        self.bytes_sent = 0
        self.bytes_received = 0
        self._serial: Any = None

    @classmethod
    def from_config(cls, name: str, section: Any, config: Any) -> "SamSerialReader":
        port = config.port(section.port)
        return cls(name, port=port, baud=section.baud, timeout=section.timeout_s,
                   poll_interval=section.poll_interval_s, fingerprint=section.fingerprint,
                   extra_address=getattr(section, "extra_address", True))

    # -- lifecycle hooks ---------------------------------------------------------------
    def _open(self) -> None:
        bauds = AUTO_BAUDS if self.baud_setting == "auto" else (int(self.baud_setting),)
        self._serial = open_serial(self.port, device=self.name, baudrate=bauds[0],
                                   timeout=READ_SLICE_S, write_timeout=self.timeout)
        try:
            self._detect(bauds)
        except BaseException:
            self._close()
            raise

    def _detect(self, bauds: tuple[int, ...]) -> None:
        """Find the baud rate the SAM answers at, then read its status and ID."""
        for baud in bauds:
            self._serial.baudrate = baud
            self.baud = baud
            try:
                reply = self._exchange(SAM_STATUS, timeout=self.probe_timeout, retries=0)
            except (DeviceTimeout, FrameError):
                self.log.debug("%s: no SAM answer on %s at %d baud", self.name, self.port, baud)
                continue
            self.log.info("%s: reader answers on %s at %d baud", self.name, self.port, baud)
            self._set_status("sam", Sam.OK if reply.ok else Sam.INOPERATIVE)
            if reply.ok:
                self.sam_id = format_sam_id(self._command(SAM_ID).data)
                self.log.info("%s: SAM %s", self.name, self.sam_id)
            return
        rates = " or ".join(str(b) for b in bauds)
        raise NoDeviceError(f"no ID card reader answers at {rates} baud", device=self.name,
                            port=self.port,
                            remedy="check the reader is powered and connected to this port")

    def _close(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            ser.close()

    # -- card hooks ----------------------------------------------------------------------
    def _check_sam(self) -> bool:
        return self._exchange(SAM_STATUS).ok

    def _find_card(self) -> bool:
        reply = self._exchange(FIND_CARD)
        if reply.ok:
            return True
        if reply.sw3 == 0x80:
            return False
        raise self._error(FIND_CARD, reply)

    def _read_document(self) -> CardData:
        self._command(SELECT_CARD)
        command = READ_BASE_FINGERPRINT if self.fingerprint else READ_BASE
        text, photo, finger = split_base_message(self._command(command).data, self.fingerprint)
        extra = b""
        if self.extra_address:
            try:
                extra = self._command(READ_EXTRA_ADDRESS).data
            except FieldEmpty:
                extra = b""
        return CardData(text, photo, finger, extra)

    # -- the line --------------------------------------------------------------------------
    def _command(self, command: Command) -> Reply:
        """Exchange and insist on success: any other SW3 raises its error."""
        reply = self._exchange(command)
        if not reply.ok:
            raise self._error(command, reply)
        return reply

    def _error(self, command: Command, reply: Reply) -> Exception:
        return sw3_error(reply.sw3, command.label, device=self.name, port=self.port)

    def _exchange(self, command: Command, *, timeout: float | None = None,
                  retries: int = RETRIES) -> Reply:
        ser = self._serial
        if ser is None:
            raise NoDeviceError("reader is not open", device=self.name, port=self.port,
                                remedy="wait for the kiosk to reconnect the reader")
        frame = command.frame()
        for attempt in range(retries + 1):
            try:
                ser.reset_input_buffer()
                ser.write(frame)
                self.bytes_sent += len(frame)
                reply = self._receive(command, timeout)
            except termios.error as exc:  # tcflush/tcsetattr on a vanished port: not an OSError
                raise TransportError(f"{command.label} failed: {exc}", device=self.name,
                                     port=self.port, remedy="check the cable and power") from exc
            except (FrameError, DeviceTimeout) as exc:
                if attempt == retries:
                    raise
                self.log.warning("%s: %s, sending %s again", self.name, exc.detail, command.label)
                continue
            if reply.sw3 == 0x10 and attempt < retries:
                self.log.warning("%s: reader got %s garbled, sending it again", self.name,
                                 command.label)
                continue
            if reply.sw3 in REJECTED_CODES:
                raise self._error(command, reply)
            return reply
        raise AssertionError("unreachable")

    def _receive(self, command: Command, timeout: float | None) -> Reply:
        ser = self._serial
        limit = self.timeout if timeout is None else timeout
        limit += wire_time(command.reply_size, self.baud)
        deadline = time.monotonic() + limit
        decoder = FrameDecoder()
        while True:
            try:
                payload = decoder.next_payload()
                if payload is not None:
                    return parse_reply(payload)
            except FrameError as exc:
                raise FrameError(f"garbled reply to {command.label}: {exc.detail}",
                                 device=self.name, port=self.port,
                                 remedy="check the cable; the baud rate may be wrong") from exc
            left = deadline - time.monotonic()
            if left <= 0:
                raise DeviceTimeout(f"no answer to {command.label} within {limit:.1f} s",
                                    device=self.name, port=self.port,
                                    remedy="check the reader is powered and the baud rate")
            chunk = ser.read(decoder.needed())
            self.bytes_received += len(chunk)
            decoder.feed(chunk)


def wire_time(size: int, baud: int) -> float:
    """Seconds `size` bytes take on an 8N1 line (10 bits a byte)."""
    return size * 10 / max(baud, 1)


def format_sam_id(raw: bytes) -> str:
    """The SAM ID as printed on readers: 05.01-20101011-0000171546-2131690127."""
    if len(raw) < 16:
        raise FrameError(f"SAM ID is {len(raw)} bytes, expected 16")
    a, b, c, d, e = struct.unpack_from("<HHIII", raw)
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"
