"""An emulated serial scanner on a pseudo-terminal, speaking the scanner's line protocol.

`scan` sends one sample code as a scanner would: prefix, text (UTF-8), suffix and the line
end of the configured framing, paced at the baud rate. With a trigger configured, a scan waits
until the driver has sent the start command (SYN T CR), as a real trigger-mode scanner does.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from ..emulation import EmulatorAction, PtyEmulator
from .samples import sample_codes
from .serial_scanner import TRIGGER_START, TRIGGER_STOP

log = logging.getLogger(__name__)

LINE_ENDS = {"cr": b"\r", "crlf": b"\r\n", "lf": b"\n"}


class ScannerEmulator(PtyEmulator):
    kind = "scanner"

    def __init__(self, link: str | Path, baud: int = 9600, *, framing: str = "cr",
                 prefix: str = "", suffix: str = "", trigger: bool = False, pace: bool = True):
        super().__init__(link, baud=baud, pace=pace)
        self.line_end = LINE_ENDS[framing]
        self.prefix, self.suffix = prefix, suffix
        self.trigger = trigger
        self.armed = not trigger
        self.samples = sample_codes()
        self._pending: list[bytes] = []
        self._received = bytearray()
        self._state_lock = threading.Lock()

    @classmethod
    def from_config(cls, section: Any, config: Any) -> "ScannerEmulator":
        return cls(config.path(section.port), section.baud, framing=section.framing,
                   prefix=section.prefix, suffix=section.suffix, trigger=section.trigger)

    def actions(self) -> list[EmulatorAction]:
        return [EmulatorAction("scan", "emu.scanner.scan", tuple(self.samples)),
                EmulatorAction("unplug", "emu.scanner.unplug"),
                EmulatorAction("replug", "emu.scanner.replug")]

    def action_scan(self, choice: str) -> None:
        if choice not in self.samples:
            raise ValueError(f"scanner emulator has no sample code {choice!r}")
        self.send_scan(self.samples[choice][1])

    def action_unplug(self) -> None:
        self.unplug()

    def action_replug(self) -> None:
        self.replug()

    def send_scan(self, text: str) -> None:
        """What the scanner sends for one read of `text` (now, or when next triggered)."""
        line = (self.prefix + text + self.suffix).encode("utf-8") + self.line_end
        with self._state_lock:
            if not self.armed:
                self._pending.append(line)
                return
        self.write(line)

    def on_bytes(self, data: bytes) -> None:
        self._received += data
        while True:
            start, stop = self._received.find(TRIGGER_START), self._received.find(TRIGGER_STOP)
            found = [i for i in (start, stop) if i >= 0]
            if not found:
                del self._received[:-2]  # keep a possible partial command
                return
            first = min(found)
            command = bytes(self._received[first:first + 3])
            del self._received[:first + 3]
            with self._state_lock:
                self.armed = command == TRIGGER_START
                pending, self._pending = (self._pending, []) if self.armed else ([], self._pending)
            for line in pending:
                self.write(line)
