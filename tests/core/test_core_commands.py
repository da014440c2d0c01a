"""What the command line says to the person at the SSH prompt: eod verdicts and exit codes,
empty journals, column headers, date formats, the diagnostics bundle, clean JSON from diag."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import zipfile

import pytest

from kiosk.cli import main
from kiosk.config import REPO_ROOT, load_config
from kiosk.journal import Journal

TODAY = dt.date.today()
PAN = "6222020000000000018"


def write_config(tmp_path, extra: str = "") -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\nid = "KSK-C1"\ndata_dir = "{tmp_path}/var"\n'
                    f'[host]\ndatabase = "{tmp_path / "bank.db"}"\nstate = "{tmp_path / "st.db"}"\n'
                    f'[journal]\npath = "{tmp_path / "journal.db"}"\n{extra}', encoding="utf-8")
    return str(path)


def test_eod_on_an_empty_day_says_so_instead_of_balanced(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["eod", "--config", cfg, "--date", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "NO TRANSFERS (nothing to balance)" in out and " BALANCED" not in out
    assert main(["eod", "--config", cfg, "--date", TODAY.isoformat(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["empty"] is True


def test_eod_exits_non_zero_when_the_day_does_not_balance(tmp_path, capsys):
    cfg = write_config(tmp_path)
    with Journal.from_config(load_config(cfg)) as journal:   # approved here, unknown at the host
        journal.record("transfer.approved", ref="KSK00001-000042", kind="intrabank",
                       amount_fen=10_000, fee_fen=0, stan=42)
    assert main(["eod", "--config", cfg, "--date", TODAY.isoformat()]) == 1
    out = capsys.readouterr().out
    assert "NOT BALANCED" in out and "STAN 000042 approved at the kiosk" in out


def test_eod_verifies_the_journal_chain_first(tmp_path, capsys):
    cfg = write_config(tmp_path)
    with Journal.from_config(load_config(cfg)) as journal:
        journal.record("session_start", language="zh_CN")
        journal.record("session_end", reason="done")
    conn = sqlite3.connect(tmp_path / "journal.db")
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("UPDATE journal SET body = '{\"reason\":\"timeout\"}' WHERE id = 2")
    conn.commit()
    conn.close()
    assert main(["eod", "--config", cfg, "--date", TODAY.isoformat()]) == 1
    out = capsys.readouterr().out
    assert "NOT BALANCED" in out and "journal chain broken at row 2" in out


def test_a_bad_date_says_which_format_is_expected(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["eod", "--config", write_config(tmp_path), "--date", "03/12/2026"])
    assert exit_.value.code == 2
    assert "expected YYYY-MM-DD" in capsys.readouterr().err


def test_journal_show_on_an_empty_journal_says_it_is_empty(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["journal", "show", "--config", cfg]) == 0
    assert capsys.readouterr().out.strip() == "the journal is empty"
    assert main(["journal", "show", "--config", cfg, "--kind", "transfer."]) == 0
    assert capsys.readouterr().out.strip() == "no journal rows of kind transfer.*"


def test_host_show_has_column_headers(tmp_path, capsys):
    cfg = write_config(tmp_path)
    assert main(["host", "seed", "--config", cfg]) == 0
    capsys.readouterr()
    assert main(["host", "show", "--config", cfg]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["HOLDER", "NUMBER", "KIND", "BALANCE", "CARD"]
    assert any("622202*********0018" in line and "52,340.00" in line for line in lines)
    assert PAN not in "\n".join(lines)


def test_diag_bundle_from_the_command_line_is_masked(tmp_path, capsys):
    cfg = write_config(tmp_path, '[fleet]\npassword = "fleet-secret-4411"\n')
    log_dir = tmp_path / "var" / "log"
    log_dir.mkdir(parents=True)
    (log_dir / "kiosk.log").write_text(f"INFO card {PAN} read\n", encoding="utf-8")
    assert main(["diag", "bundle", "--config", cfg, "--out", str(tmp_path / "out")]) == 0
    path = capsys.readouterr().out.strip()
    with zipfile.ZipFile(path) as zf:
        everything = "\n".join(zf.read(n).decode() for n in zf.namelist())
        assert "logs/kiosk.log" in zf.namelist()
    assert "622202*********0018" in everything
    assert PAN not in everything and "fleet-secret-4411" not in everything


def test_diag_json_says_disabled_and_keeps_log_lines_out_of_stdout(tmp_path):
    disabled = "".join(f"[devices.{n}]\nenabled = false\n" for n in ("chipcard", "idcard",
                                                                     "camera", "scanner"))
    cfg = write_config(tmp_path, disabled + '[devices.printer]\nbackend = "serial"\n'
                       f'port = "{tmp_path}/no-such-printer"\ntimeout_s = 0.5\n')
    assert load_config(cfg).devices.printer.enabled
    run = subprocess.run([sys.executable, "-m", "kiosk", "diag", "--json", "--config", cfg],
                         cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    result = json.loads(run.stdout)          # nothing but the JSON on stdout
    assert result["devices"]["camera"] == {"enabled": False, "backend": "emulator",
                                           "where": result["devices"]["camera"]["where"],
                                           "status": {}, "ok": None}
    assert result["devices"]["printer"]["ok"] is False and not result["ok"]
    table = subprocess.run([sys.executable, "-m", "kiosk", "diag", "--config", cfg],
                           cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert table.stdout.splitlines()[0].split()[:3] == ["DEVICE", "BACKEND", "STATE"]
    assert not any(" WARNING " in line or " INFO " in line for line in table.stdout.splitlines())


def test_technician_card_hash_matches_the_demo_configuration(monkeypatch, capsys):
    import io
    from kiosk.config import load_config as load
    monkeypatch.setattr("sys.stdin", io.StringIO("6222 0200 0000 0000 117\n"))
    assert main(["technician", "card-hash"]) == 0
    line = capsys.readouterr().out.strip()
    assert line in load().technician.cards and "6222020000000000117" not in line
