"""`kiosk diag` next to a running kiosk: the drivers hold their serial ports exclusively, so the
diagnostics say the port is in use (exit 2, `error` in the JSON) and leave the kiosk's device
working."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.barcode.scanner_emulator import ScannerEmulator
from drivers.barcode.serial_scanner import SerialScanner
from drivers.idcard.emulator import IdCardReaderEmulator
from drivers.idcard.sam_serial import SamSerialReader
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_serial import EscPosPrinter
from drivers.errors import PortInUseError
from drivers.serial_port import port_in_use
from kiosk.config import REPO_ROOT
from kiosk.device_manager import DeviceManager
from kiosk.diag.idcard import KEYS as IDCARD_KEYS
from kiosk.events import EventBus
from tests.barcode.helpers import only_device_config
from tests.harness import wait_for
from tests.printer.printer_data import FONT

IN_USE = "port in use — is the kiosk running? stop it or use the technician mode"
PRINTER_KEYS = {"online", "paper", "cover_open", "cutter_error", "recoverable_error",
                "unrecoverable_error", "status_ms", "error"}


def diag(*args: str) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "kiosk", "diag", *args, "--json"],
                          capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def make_idcard(tmp_path: Path):
    emulator = IdCardReaderEmulator(tmp_path / "idcard.pty", pace=False)
    return emulator, SamSerialReader("idcard", port=str(emulator.link), timeout=1.0)


def make_printer(tmp_path: Path):
    emulator = PrinterEmulator(tmp_path / "printer.pty", pace=False,
                               output_dir=tmp_path / "receipts", font_path=FONT)
    return emulator, EscPosPrinter("printer", port=str(emulator.link), status_timeout_ms=200)


def make_scanner(tmp_path: Path):
    emulator = ScannerEmulator(tmp_path / "scanner.pty", pace=False)
    return emulator, SerialScanner("scanner", str(emulator.link))


@pytest.mark.parametrize("make", [make_idcard, make_printer, make_scanner])
def test_a_second_driver_on_the_same_port_fails_at_once_naming_it(tmp_path, make):
    emulator, first = make(tmp_path)
    _, second = make(tmp_path)
    emulator.start()
    try:
        assert not port_in_use(str(emulator.link))
        first.open()
        assert port_in_use(str(emulator.link))
        with pytest.raises(PortInUseError, match=f"on {emulator.link}: port is in use"):
            second.open()
        assert second.status()["device"] == "noDevice" and first.status()["device"] == "online"
        first.close()
        assert not port_in_use(str(emulator.link))
        second.open()  # the lock went with the first owner
        second.close()
    finally:
        first.close()
        emulator.stop()


def test_diag_idcard_and_printer_say_the_port_is_in_use_and_leave_the_kiosk_alone(tmp_path):
    id_emulator, reader = make_idcard(tmp_path)
    printer_emulator, printer = make_printer(tmp_path)
    id_emulator.start()
    printer_emulator.start()
    try:
        reader.open()
        printer.open()
        code, result = diag("idcard", "--port", str(id_emulator.link), "--wait", "0.2")
        assert code == 2 and tuple(result) == IDCARD_KEYS
        assert result["error"] == f"idcard on {id_emulator.link}: {IN_USE}"
        code, result = diag("printer", "--port", str(printer_emulator.link))
        assert code == 2 and set(result) == PRINTER_KEYS
        assert result["error"] == f"printer on {printer_emulator.link}: {IN_USE}"
        assert result["online"] is False and result["paper"] == "unknown"

        # the kiosk's devices never noticed
        id_emulator.perform("place_card", "ceshi_jia")
        assert reader.read_card(wait=1).id_masked == "110101********1030"
        printer.poll()
        assert printer.status()["device"] == "online"
    finally:
        reader.close()
        printer.close()
        id_emulator.stop()
        printer_emulator.stop()


def test_diag_overview_reports_busy_ports_without_stealing_the_emulated_devices(tmp_path):
    """A kiosk on emulators runs; `kiosk diag` with its config must not start second emulators
    on the same links (they would replace and then delete them)."""
    config = only_device_config(
        tmp_path, "scanner", '[devices.scanner]\nbackend = "emulator"\nport = "run/s.pty"\n')
    bus = EventBus()
    codes = []
    bus.subscribe(lambda e: codes.append(e.data["text"])
                  if getattr(e, "name", "") == "CodeReadEvent" else None)
    kiosk = DeviceManager(config, bus)
    kiosk.start()
    try:
        assert wait_for(lambda: kiosk.statuses()["scanner"]["device"] == "online", 5)
        emulator = kiosk.emulator("scanner")
        link_target = emulator.link.resolve()

        code, result = diag("--config", str(config.source))
        assert code == 2 and result["ok"] is False
        # the port as the configuration resolves it (the link's pty)
        assert result["error"] == f"scanner on {link_target}: {IN_USE}"
        scanner = result["devices"]["scanner"]
        assert scanner["status"] == {"device": "deviceBusy"} and scanner["ok"] is False
        assert set(scanner) == {"enabled", "backend", "where", "status", "ok"}

        assert emulator.link.resolve() == link_target  # the kiosk's pty is still the link
        emulator.perform("scan", "receipt")
        assert wait_for(lambda: codes == [emulator.samples["receipt"][1]], 3)
    finally:
        kiosk.stop()


def test_diag_overview_table_says_what_to_do(tmp_path):
    emulator, printer = make_printer(tmp_path)
    (tmp_path / "kiosk.toml").write_text(
        '[kiosk]\ndata_dir = "var"\n'
        + "".join(f"[devices.{n}]\nenabled = false\n"
                  for n in ("chipcard", "idcard", "camera", "scanner"))
        + f'[devices.printer]\nbackend = "serial"\nport = "{emulator.link}"\n', encoding="utf-8")
    emulator.start()
    try:
        printer.open()
        proc = subprocess.run([sys.executable, "-m", "kiosk", "diag", "--config",
                               str(tmp_path / "kiosk.toml")],
                              capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    finally:
        printer.close()
        emulator.stop()
    assert proc.returncode == 2, proc.stderr
    line = next(l for l in proc.stdout.splitlines() if l.startswith("printer"))
    assert "deviceBusy" in line
    assert f"error: printer on {emulator.link}: {IN_USE}" in proc.stdout


def test_diag_overview_reads_a_running_kiosks_camera_clip_without_deleting_it(tmp_path):
    config = only_device_config(
        tmp_path, "camera", '[devices.camera]\nbackend = "emulator"\nwidth = 640\n'
                            'height = 480\nfps = 10\nstale_after_s = 0.6\n')
    kiosk = DeviceManager(config, EventBus())
    kiosk.start()
    try:
        assert wait_for(lambda: kiosk.statuses()["camera"].get("camera") == "ok", 5)
        emulator = kiosk.emulator("camera")
        emulator.perform("present_code", "appointment")
        clip = emulator.clip.read_bytes()

        code, result = diag("--config", str(config.source))
        assert code == 0 and result["error"] is None
        assert result["devices"]["camera"]["status"]["device"] == "online"
        assert result["devices"]["camera"]["backend"] == "emulator"

        assert emulator.clip.read_bytes() == clip  # neither rewritten nor deleted
        assert {k: kiosk.statuses()["camera"][k] for k in ("device", "camera")} == {
            "device": "online", "camera": "ok"}
    finally:
        kiosk.stop()
