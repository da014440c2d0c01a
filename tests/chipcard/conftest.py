"""Chip card fixtures: the real pcscd, the emulated card on vpcd slot 01, a PcscReader on it.

Tests use "Virtual PCD 00 01" (vpcd port 35964) so they never touch slot 00, which belongs to a
kiosk someone may be running. pcscd is the machine's single daemon: started if absent, left
running afterwards (others use it too).
"""
from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.harness import threads_left, wait_until


TEST_VPCD_PORT = 35964
TEST_READER = "Virtual PCD 00 01"
TODAY = dt.date(2026, 11, 28)
OUR_THREADS = ("chipcard", "vpcd-card", "test-chipcard")


def wait_slot_empty(timeout: float = 3.0) -> None:
    """pcscd notices a removed card at its next poll (~400 ms): start each test on an empty slot."""
    from smartcard import scard
    hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert hr == scard.SCARD_S_SUCCESS, "pcscd not reachable"
    try:
        state = scard.SCARD_STATE_UNAWARE
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hr, states = scard.SCardGetStatusChange(context, 100, [(TEST_READER, state)])
            if hr == scard.SCARD_S_SUCCESS:
                _, state, _ = states[0]
                if state & scard.SCARD_STATE_EMPTY:
                    return
                state &= ~scard.SCARD_STATE_CHANGED
        pytest.fail(f"{TEST_READER} still holds a card after {timeout} s")
    finally:
        scard.SCardReleaseContext(context)


@pytest.fixture
def empty_slot(pcscd):
    wait_slot_empty()


@pytest.fixture
def emulator(pcscd):
    from drivers.chipcard.emulator import VpcdCardEmulator
    wait_slot_empty()
    emu = VpcdCardEmulator(port=TEST_VPCD_PORT, latency_ms=0)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def reader(emulator):
    from drivers.chipcard.pcsc import PcscReader
    dev = PcscReader("test-chipcard", reader=TEST_READER, timeout=3.0, apdu_timeout=2.0,
                     today=lambda: TODAY)
    events: list = []
    dev.subscribe(events.append)
    dev.events = events  # type: ignore[attr-defined]
    dev.open()
    yield dev
    dev.close()


@pytest.fixture(autouse=True)
def no_leftover_threads():
    """Every reader, watcher and emulator thread a test starts is gone when it ends."""
    yield
    left = threads_left(OUR_THREADS, timeout=2)
    if left:
        pytest.fail(f"threads left running: {left}")


@pytest.fixture
def until():
    return wait_until
