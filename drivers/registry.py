"""Which class drives and which class emulates each configured device, chosen by config.

Entries are import paths, so nothing heavy (cv2, pyscard) is imported until a device is used.
Each driver class offers `from_config(name, section, config)`; each emulator class offers
`from_config(section, config)` and `endpoint()` (overrides that point the driver at it).
"""
from __future__ import annotations

import importlib
import threading
from typing import Any

DEVICE_NAMES = ("chipcard", "idcard", "printer", "camera", "scanner")

DRIVERS = {
    "chipcard": "drivers.chipcard.pcsc:PcscReader",
    "idcard": "drivers.idcard.sam_serial:SamSerialReader",
    "printer": "drivers.printer.escpos_serial:EscPosPrinter",
    "camera": "drivers.barcode.camera:CameraReader",
    "scanner": "drivers.barcode.serial_scanner:SerialScanner",
}

EMULATORS = {
    "chipcard": "drivers.chipcard.emulator:VpcdCardEmulator",
    "idcard": "drivers.idcard.emulator:IdCardReaderEmulator",
    "printer": "drivers.printer.emulator:PrinterEmulator",
    "camera": "drivers.barcode.camera_emulator:CameraEmulator",
    "scanner": "drivers.barcode.scanner_emulator:ScannerEmulator",
}


_import_lock = threading.Lock()


def load(path: str) -> Any:
    """Import one class; serialised because numpy's first import fails when two threads race."""
    module, _, attr = path.partition(":")
    with _import_lock:
        return getattr(importlib.import_module(module), attr)


def driver_class(name: str) -> Any:
    return load(DRIVERS[name])


def emulator_class(name: str) -> Any:
    return load(EMULATORS[name])
