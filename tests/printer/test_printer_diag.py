"""`kiosk diag printer` as a technician runs it: a subprocess against the emulator's pty."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tty

from kiosk.config import REPO_ROOT

KEYS = {"online", "paper", "cover_open", "cutter_error", "recoverable_error",
        "unrecoverable_error", "status_ms", "error"}


def diag(*args: str, status_timeout_ms: int = 500) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "kiosk", "diag", "printer", "--json",
                           "--status-timeout-ms", str(status_timeout_ms), *args],
                          capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    return proc.returncode, json.loads(proc.stdout)


def test_healthy_printer_answers_with_exactly_the_documented_keys(emulator):
    code, result = diag("--port", str(emulator.link), "--baud", "115200")
    assert code == 0 and set(result) == KEYS
    assert result["online"] is True and result["paper"] == "full"
    assert result["cover_open"] is False and result["cutter_error"] is False
    assert result["error"] is None and 0 < result["status_ms"]


def test_faults_are_reported_and_test_page_refused(emulator):
    emulator.perform("paper_low")
    emulator.perform("cover_open")
    code, result = diag("--port", str(emulator.link), "--test-page")
    assert code == 4 and result["paper"] == "low" and result["cover_open"] is True
    assert result["online"] is False and "close the printer cover" in result["error"]
    emulator.wait_rendered(30)
    assert emulator.receipts() == []


def test_test_page_prints_when_ready(emulator):
    code, result = diag("--port", str(emulator.link), "--test-page")
    assert code == 0 and result["error"] is None
    assert emulator.wait_rendered(30)
    (page,) = emulator.receipts()
    assert page.complete and "打印机测试页" in page.text and page.qr[0].startswith("TEST-")


def test_missing_port_exits_2(tmp_path):
    code, result = diag("--port", str(tmp_path / "ttyUSB7"))
    assert code == 2 and set(result) == KEYS and "ttyUSB7" in result["error"]


def test_silent_printer_exits_5_and_never_says_paper_ok():
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        code, result = diag("--port", os.ttyname(slave), status_timeout_ms=50)
    finally:
        os.close(master)
        os.close(slave)
    assert code == 5 and result["paper"] == "unknown" and result["online"] is False
    assert "did not answer" in result["error"]
