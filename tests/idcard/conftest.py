"""ID card reader fixtures: the real driver against the emulator on a pseudo-terminal."""
from __future__ import annotations

import pytest

from drivers.idcard.emulator import IdCardReaderEmulator
from drivers.idcard.sam_serial import SamSerialReader


@pytest.fixture
def emulator(tmp_path):
    emu = IdCardReaderEmulator(tmp_path / "idcard.pty", baud=115200, pace=True)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def reader(emulator):
    dev = SamSerialReader("idcard", port=str(emulator.link), timeout=1.0, poll_interval=0.05)
    events: list = []
    dev.subscribe(events.append)
    dev.events = events
    dev.open()
    yield dev
    dev.close()
