"""A printer emulator on a pty in a temp folder, and the real driver on it."""
from __future__ import annotations

from pathlib import Path

import pytest

from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_serial import EscPosPrinter

from .printer_data import FONT


@pytest.fixture
def emulator(tmp_path: Path):
    emu = PrinterEmulator(tmp_path / "run" / "printer.pty", output_dir=tmp_path / "receipts",
                          font_path=FONT, paper_lines=2000, near_end_lines=300)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def printer(emulator: PrinterEmulator):
    # Lenient: on a loaded CI machine a 50 ms answer can be late; bench/printer.py measures it.
    dev = EscPosPrinter("printer", port=str(emulator.link), timeout=5.0, status_timeout_ms=500)
    dev.open()
    yield dev
    dev.close()
