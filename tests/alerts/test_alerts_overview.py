"""`kiosk diag` with no device: every configured device checked through the real stack."""
from __future__ import annotations

import json

from drivers.base import StatusChanged
from kiosk.alerts import AlertCenter
from kiosk.alerts.outbox import AlertOutbox
from kiosk.cli import main

DISABLED = "".join(f"[devices.{n}]\nenabled = false\n"
                   for n in ("chipcard", "idcard", "camera", "scanner"))


def write_config(tmp_path, printer: str) -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path}/var"\n[alerts]\noutbox = "var/alerts.db"\n'
                    f"{DISABLED}[devices.printer]\n{printer}\n", encoding="utf-8")
    return str(path)


def test_overview_reports_an_emulated_printer_online_as_json(tmp_path, capsys):
    config = write_config(tmp_path, 'backend = "emulator"\nport = "var/run/printer.pty"\n'
                          '[devices.printer.emulator]\npace = false\n'
                          'output_dir = "var/receipts"')
    center = AlertCenter(AlertOutbox(tmp_path / "var" / "alerts.db"), kiosk_id="K", branch="B")
    center.on_status(StatusChanged("scanner", "scanner", "device", "online", "noDevice"))
    center.close()
    assert main(["diag", "--config", config, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True
    assert result["devices"]["printer"]["status"]["device"] == "online"
    assert result["devices"]["chipcard"] == {"enabled": False, "backend": "emulator",
                                             "where": "Virtual PCD 00 00", "status": {},
                                             "ok": None}   # disabled: neither ok nor failed
    assert result["alerts"]["open"] == 1 and result["alerts"]["worst"] == "fault"


def test_overview_table_names_a_missing_printer_and_exits_2(tmp_path, capsys):
    config = write_config(tmp_path, f'backend = "serial"\nport = "{tmp_path}/no-such-tty"\n'
                          "timeout_s = 1")
    assert main(["diag", "--config", config]) == 2
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("printer"))
    assert "noDevice" in line and "no-such-tty" in line
    assert "SOME DEVICES ARE NOT ONLINE" in out and "no alert store yet" in out
