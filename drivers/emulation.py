"""Emulators as first-class backends.

An emulator speaks a device's real protocol over the real transport (pcscd + vpcd, a
pseudo-terminal, a video file); the real driver connects to the endpoint it exposes, so the
code path is the one used with hardware. Each emulator also offers actions (insert a card,
paper out, unplug...) that the simulator panel and tests perform.
"""
from __future__ import annotations

import logging
import os
import select
import threading
import time
import tty
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmulatorAction:
    """Something the person at the simulator panel can do to an emulated device."""
    name: str                 # e.g. "paper_out"
    label: str                # translatable message id for the panel
    choices: tuple[str, ...] = ()   # e.g. card profiles; empty when the action takes no argument


class Emulator:
    """Base of every emulator: start/stop, an endpoint for the driver, panel actions."""

    kind = "device"

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def endpoint(self) -> dict[str, Any]:
        """Config overrides that point the real driver at this emulator (port, reader, source)."""
        return {}

    def actions(self) -> list[EmulatorAction]:
        return []

    def perform(self, action: str, choice: str | None = None) -> None:
        handler: Callable[..., None] | None = getattr(self, f"action_{action}", None)
        if handler is None or action not in {a.name for a in self.actions()}:
            raise ValueError(f"{self.kind} emulator has no action {action!r}")
        if choice is None:
            handler()
        else:
            handler(choice)


class PtyEmulator(Emulator):
    """A serial device on a pseudo-terminal, reachable at a stable symlink (`link`).

    Both directions are paced at the configured baud rate (10 bits a byte, 8N1) because a pty
    has no wire timing of its own. `unplug()` makes the port disappear the way a USB adapter does;
    `replug()` brings it back at the same path.
    """

    def __init__(self, link: str | Path, baud: int = 115200, pace: bool = True):
        self.link = Path(link)
        self.baud = baud
        self.pace = pace
        self._master: int | None = None
        self._slave: int | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._write_lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._plug()

    def stop(self) -> None:
        self._stop.set()
        self._unplug()

    def endpoint(self) -> dict[str, Any]:
        return {"port": str(self.link)}

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def unplug(self) -> None:
        log.info("%s emulator: unplugged %s", self.kind, self.link)
        self._unplug()

    def replug(self) -> None:
        if not self.plugged:
            log.info("%s emulator: plugged in again at %s", self.kind, self.link)
            self._plug()

    def _plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        tty.setraw(master)
        self._master, self._slave = master, slave
        self.link.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.link.with_name(self.link.name + ".new")
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(os.ttyname(slave))
        os.replace(tmp, self.link)
        self._thread = threading.Thread(target=self._read_loop, args=(master,),
                                        name=f"{self.kind}-pty", daemon=True)
        self._thread.start()

    def _unplug(self) -> None:
        master, slave = self._master, self._slave
        self._master = self._slave = None
        if self.link.is_symlink():
            self.link.unlink()
        for fd in (master, slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=1)

    def _read_loop(self, master: int) -> None:
        while not self._stop.is_set() and self._master == master:
            try:
                ready, _, _ = select.select([master], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(master, 4096)
            except OSError:
                return
            if data:
                if self.pace:  # the driver's bytes take their wire time to arrive too
                    time.sleep(len(data) * 10 / self.baud)
                try:
                    self.on_bytes(data)
                except Exception:
                    log.exception("%s emulator failed on %r", self.kind, data[:32])

    # -- protocol side -------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> None:
        """Called on the emulator thread with whatever the driver wrote."""
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        """Send bytes to the driver, paced like a real line at `baud`."""
        with self._write_lock:
            master = self._master
            if master is None:
                return
            chunk = 64
            start = time.monotonic()
            for offset in range(0, len(data), chunk):
                part = data[offset:offset + chunk]
                if self.pace:  # a chunk is handed over when its last byte would have arrived
                    delay = start + (offset + len(part)) * 10 / self.baud - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                try:
                    os.write(master, part)
                except OSError:
                    return
