"""`kiosk diag chipcard` as a technician runs it: a subprocess against the emulated card."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.chipcard.pcscd import ensure_pcscd, stop_pcscd

pytestmark = pytest.mark.pcscd

REPO = Path(__file__).resolve().parents[2]
READER = "Virtual PCD 00 01"
KEYS = ["reader", "atr", "aid", "label", "pan_masked", "expiry", "name", "cardholder_id_masked",
        "pin_tries", "ec_balance", "apdu_count", "elapsed_ms"]


def diag(*args: str) -> tuple[int, dict, str]:
    proc = subprocess.run([sys.executable, "-m", "kiosk", "diag", "chipcard", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=30)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.startswith("{") else {}, \
        proc.stdout + proc.stderr


def test_reads_the_debit_card(emulator):
    emulator.latency_ms = 30
    emulator.insert_card("unionpay_debit")
    code, result, output = diag("--reader", READER, "--wait", "5", "--json")
    assert code == 0, output
    assert list(result) == KEYS
    assert result["reader"] == READER and result["atr"] == "3B8801554E494F4E50415992"
    assert result["aid"] == "A000000333010101" and result["label"] == "UnionPay Debit"
    assert result["pan_masked"] == "622202*********0018" and result["expiry"] == "2031-12"
    assert result["name"] == "测试甲" and result["cardholder_id_masked"] == "110101********1030"
    assert result["pin_tries"] == 3 and result["ec_balance"] == "123.45"
    assert result["apdu_count"] == 10          # 7 identity + 3 GET DATA
    assert 300 <= result["elapsed_ms"] < 2000  # 10 APDUs at 30 ms each
    assert "6222020000000000018" not in output and "110101199003071030" not in output


def test_card_errors_exit_4_with_reason(emulator):
    emulator.insert_card("expired")
    code, result, _ = diag("--reader", READER, "--wait", "5", "--json")
    assert code == 4
    assert result["error"].startswith("card_expired:")
    assert result["pan_masked"] == "622202*********0059" and result["expiry"] == "2024-06"


def test_no_card_exits_3_and_table_output(emulator):
    code, _, output = diag("--reader", READER, "--wait", "0.3")
    assert code == 3
    assert "no card inserted within 0.3 s" in output
    assert output.splitlines()[0].split() == ["reader", "Virtual", "PCD", "00", "01"]


def test_waiting_for_a_card_says_so_on_stderr_only(emulator):
    proc = subprocess.run([sys.executable, "-m", "kiosk", "diag", "chipcard", "--reader", READER,
                           "--wait", "1.5", "--json"], cwd=REPO, capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 3
    assert f"insert a card in {READER}" in proc.stderr
    assert json.loads(proc.stdout)["error"].startswith("no card inserted")


def test_no_matching_reader_exits_2(pcscd):
    code, result, _ = diag("--reader", "*ACS ACR39U*", "--wait", "1", "--json")
    assert code == 2
    assert "no PC/SC reader matches '*ACS ACR39U*'" in result["error"]
    assert READER in result["error"]   # lists what is there


def test_pcscd_not_running_exits_2_with_clear_message(pcscd):
    """Stops the machine's pcscd for about a second and starts it again."""
    try:
        stop_pcscd()
        code, result, _ = diag("--reader", READER, "--wait", "1", "--json")
    finally:
        ensure_pcscd()
    assert code == 2
    assert "pcscd is not running" in result["error"]


def test_a_card_in_use_by_the_kiosk_is_not_touched(emulator, reader):
    emulator.insert_card("unionpay_debit")
    reader.wait_for_card(5)
    reader.read_identity()          # the kiosk holds the card for its customer's session
    code, result, _ = diag("--reader", READER, "--wait", "2", "--json")
    assert code == 2
    assert "another program is using the card" in result["error"]
    assert "is the kiosk running" in result["error"]
    assert reader.read_identity().pan_masked == "622202*********0018"   # undisturbed
