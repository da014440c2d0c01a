"""`kiosk diag idcard` as a subprocess against the emulator on a pty."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.diag.idcard import KEYS

ROOT = Path(__file__).resolve().parents[2]


def diag(*args):
    proc = subprocess.run([sys.executable, "-m", "kiosk", "diag", "idcard", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=30)
    return proc.returncode, proc.stdout, proc.stderr


def test_reads_the_card_as_masked_json(emulator):
    emulator.perform("place_card", "ceshi_jia")
    code, out, err = diag("--port", str(emulator.link), "--json", "--wait", "2")
    assert code == 0, err
    result = json.loads(out)
    assert tuple(result) == KEYS
    assert result["sam_id"] == "05.01-20240101-0000012345-0123456789"
    assert {k: result[k] for k in ("card_type", "name", "gender", "nation", "birth_date",
                                   "id_masked", "valid_from", "valid_to")} == {
        "card_type": "resident", "name": "测试甲", "gender": "男", "nation": "汉",
        "birth_date": "1990-03-07", "id_masked": "110101********1030",
        "valid_from": "2016-05-01", "valid_to": "2036-05-01"}
    assert result["checks"] == {"check_digit_ok": True, "birth_matches": True, "expired": False}
    assert result["error"] is None and result["elapsed_ms"] >= 0
    assert "110101199003071030" not in out + err


def test_table_output_for_an_expired_card(emulator):
    emulator.perform("place_card", "ceshi_yi")
    code, out, err = diag("--port", str(emulator.link), "--baud", "115200")
    assert code == 0, err
    assert "expired=True" in out and "310101********0025" in out
    assert "310101199506180025" not in out + err


@pytest.mark.parametrize("setup, args, expected, words", [
    (None, ("--wait", "0.2"), 3, "no ID card"),
    ("41", ("--wait", "1"), 4, "SW3 41"),
])
def test_no_card_and_read_error_exit_codes(emulator, setup, args, expected, words):
    if setup:
        emulator.perform("place_card", "ceshi_jia")
        emulator.perform("fail_next_read", setup)
    code, out, _ = diag("--port", str(emulator.link), "--json", *args)
    result = json.loads(out)
    assert code == expected
    assert words in result["error"] and result["id_masked"] is None


def test_no_reader_exit_code(tmp_path):
    code, out, _ = diag("--port", str(tmp_path / "missing.pty"), "--json")
    assert code == 2
    assert "missing.pty" in json.loads(out)["error"]
