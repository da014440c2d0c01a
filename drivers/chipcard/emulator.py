"""Emulated bank cards in the vsmartcard virtual reader, served to the real pcscd.

The emulator is a TCP client of vpcd (the pcscd driver of vsmartcard-vpcd): every message is a
2-byte big-endian length and a payload; a 1-byte payload is a control code (0 power off, 1 power
on, 2 reset, 4 get ATR), anything longer a command APDU answered with a response APDU.
Connecting is inserting the card, closing is removing it. While a card is inserted the emulator
reconnects on its own when pcscd restarts, as a card left in a real reader would reappear.
"""
from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

from ..emulation import Emulator, EmulatorAction
from .card_profile import PROFILE_DIR, load_profile, profile_names
from .emulated_card import EmulatedCard
from .pcscd import pcscd_running

log = logging.getLogger(__name__)

VPCD_BASE_PORT = 35963
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4
RECONNECT_S = 0.1


def vpcd_reader_name(port: int) -> str:
    """pcscd names vpcd's slots "Virtual PCD 00 <slot>", slot = port - 35963."""
    return f"Virtual PCD 00 {port - VPCD_BASE_PORT:02d}"


class VpcdCardEmulator(Emulator):
    kind = "chipcard"

    def __init__(self, *, port: int = VPCD_BASE_PORT, host: str = "127.0.0.1",
                 latency_ms: float = 30, default_profile: str = "unionpay_debit",
                 profile_dir: Path = PROFILE_DIR):
        self.port = port
        self.host = host
        self.latency_ms = latency_ms
        self.default_profile = default_profile
        self.profile_dir = profile_dir
        self._cards: dict[str, EmulatedCard] = {}
        self._lock = threading.Lock()
        self._inserted: str | None = None
        self._stop_card: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.connected = threading.Event()

    @classmethod
    def from_config(cls, section: Any, config: Any = None) -> "VpcdCardEmulator":
        emu = section.emulator
        return cls(port=emu.vpcd_port, host=emu.vpcd_host, latency_ms=emu.latency_ms,
                   default_profile=emu.profile)

    # -- Emulator contract -------------------------------------------------------------------
    def start(self) -> None:
        log.info("chip card emulator ready on vpcd %s:%d (%s)", self.host, self.port,
                 vpcd_reader_name(self.port))
        if not pcscd_running():
            log.warning("pcscd is not running: no reader will see the emulated card until it "
                        "starts (scripts/dev.sh starts it; or drivers.chipcard.pcscd.ensure_pcscd)")

    def stop(self) -> None:
        self.remove_card()

    def endpoint(self) -> dict[str, Any]:
        return {"reader": vpcd_reader_name(self.port)}

    def actions(self) -> list[EmulatorAction]:
        return [EmulatorAction("insert_card", "panel.chipcard.insert_card",
                               tuple(profile_names(self.profile_dir))),
                EmulatorAction("remove_card", "panel.chipcard.remove_card")]

    def action_insert_card(self, profile: str | None = None) -> None:
        self.insert_card(profile)

    def action_remove_card(self) -> None:
        self.remove_card()

    # -- the card ------------------------------------------------------------------------------
    @property
    def inserted(self) -> str | None:
        return self._inserted

    def card(self, profile: str) -> EmulatedCard:
        """The card of a profile; its memory (PIN tries, ATC) lasts as long as the emulator."""
        with self._lock:
            if profile not in self._cards:
                self._cards[profile] = EmulatedCard(load_profile(profile, self.profile_dir))
            return self._cards[profile]

    def insert_card(self, profile: str | None = None) -> None:
        name = profile or self.default_profile
        card = self.card(name)
        self.remove_card()
        stop = threading.Event()
        with self._lock:
            self._inserted, self._stop_card = name, stop
            self.connected.clear()
            self._thread = threading.Thread(target=self._serve, args=(card, stop),
                                            name=f"vpcd-card-{self.port}", daemon=True)
            self._thread.start()
        log.info("emulated card %s inserted into %s", name, vpcd_reader_name(self.port))

    def remove_card(self) -> None:
        with self._lock:
            stop, thread, sock = self._stop_card, self._thread, self._sock
            self._inserted = self._stop_card = self._thread = None
        if stop is None:
            return
        stop.set()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        self.connected.clear()
        log.info("emulated card removed from %s", vpcd_reader_name(self.port))

    # -- vpcd transport ------------------------------------------------------------------------
    def _serve(self, card: EmulatedCard, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                stop.wait(RECONNECT_S)  # pcscd not (yet) listening
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if stop.is_set():
                    sock.close()
                    return
                self._sock = sock
            self.connected.set()
            try:
                self._session(sock, card, stop)
            except (OSError, ConnectionError) as exc:
                log.debug("vpcd connection on %d ended: %s", self.port, exc)
            finally:
                self.connected.clear()
                with self._lock:
                    if self._sock is sock:
                        self._sock = None
                sock.close()
            if not stop.is_set():
                log.info("vpcd on port %d went away; reconnecting", self.port)
                stop.wait(RECONNECT_S)

    def _session(self, sock: socket.socket, card: EmulatedCard, stop: threading.Event) -> None:
        while not stop.is_set():
            (length,) = struct.unpack(">H", _recv_exact(sock, 2))
            payload = _recv_exact(sock, length) if length else b""
            if len(payload) == 1:
                code = payload[0]
                if code == CTRL_ATR:
                    _send(sock, card.atr)
                elif code in (CTRL_ON, CTRL_RESET):
                    card.power_up()
                continue
            if not payload:
                continue
            if self.latency_ms:
                time.sleep(self.latency_ms / 1000)
            _send(sock, card.process(payload))


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        # vpcd writes length and payload separately with Nagle on: ack at once (test-rigs notes)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(size - len(buf))
        if not chunk:
            raise ConnectionError("vpcd closed the connection")
        buf += chunk
    return bytes(buf)


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)
