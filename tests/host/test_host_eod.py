"""End of day: the journal reconciled with the host, and the host/eod commands."""
from __future__ import annotations

import csv
import datetime as dt
import json

from kiosk.cli import main
from kiosk.documents.slip import SlipContext
from kiosk.eod import build_report, eod_document, write_csv
from kiosk.host.models import TransferInstruction, TransferKind, TransferRequest

from .test_host_transfers import send
from .conftest import PAYEE_INTER, PAYEE_INTRA

TODAY = dt.date.today()


def test_balanced_day_counts_everything(service, journal, host, tmp_path):
    send(service, 10_000)
    send(service, 20_000, PAYEE_INTER, TransferKind.INTERBANK)
    send(service, 6_000_000)    # held for staff
    send(service, 9_000_000)    # held, then released: host declines (insufficient funds)
    service.release_held(service.held()[-1], "staff-01")
    journal.record("device.fault", device="printer", fault="paper_out")
    journal.record("receipt.printed", document="transfer")
    journal.record("receipt.printed", document="balance")
    report = build_report(journal, host, service.terminal_id, TODAY)
    assert report.balanced, report.differences
    assert report.kiosk_totals["intrabank"].amount_fen == 10_000
    assert report.kiosk_totals["interbank"].fee_fen == 200
    assert report.kiosk_totals == report.host_totals
    assert report.declined == {"insufficient_funds": 1}
    assert sorted(h["state"] for h in report.held) == ["held", "released"]
    assert report.device_faults == {"printer": 1} and report.receipts_printed == 2
    path = tmp_path / "eod.csv"
    write_csv(report, path)
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    assert {"section": "kiosk_approved", "item": "interbank", "count": "1",
            "amount_fen": "20000", "fee_fen": "200"} in rows
    assert rows[-1]["item"] == "yes"
    doc = eod_document(report, SlipContext("KSK-0001", "310101001", dt.datetime.now()))
    assert doc.reference == f"EOD-KSK-0001-{TODAY:%Y%m%d}"


def test_transfer_missing_from_the_journal_is_a_difference(service, journal, bank):
    send(service, 10_000)
    bank.transfer(TransferRequest(service.terminal_id, 990, TransferInstruction(
        service.card.account_id, PAYEE_INTRA[0], PAYEE_INTRA[1], 500, TransferKind.INTRABANK,
        auth_ref=service.card.auth_ref)))
    report = build_report(journal, bank, service.terminal_id, TODAY)
    assert not report.balanced
    assert "STAN 000990 approved at the host, not in the journal" in report.differences


def _toml(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[host]\ndatabase = "{tmp_path / "bank.db"}"\nstate = "{tmp_path / "st.db"}"\n'
                    f'[journal]\npath = "{tmp_path / "journal.db"}"\n')
    return str(path)


def test_host_and_eod_commands(tmp_path, capsys):
    cfg = _toml(tmp_path)
    assert main(["host", "seed", "--config", cfg]) == 0
    assert main(["host", "seed", "--config", cfg]) == 0
    assert "already seeded" in capsys.readouterr().out
    assert main(["host", "show", "--config", cfg, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["ledger_sum_fen"] == 0 and shown["problems"] == []
    assert {"holder": "测试甲", "number": "622202*********0018", "kind": "debit",
            "balance_fen": 5_234_000, "card_status": "active"} in shown["accounts"]
    assert "6222020000000000018" not in json.dumps(shown)
    assert main(["host", "reset", "--config", cfg]) == 0
    capsys.readouterr()
    csv_path = tmp_path / "day.csv"
    assert main(["eod", "--config", cfg, "--date", TODAY.isoformat(), "--json",
                 "--csv", str(csv_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["balanced"] and report["day"] == TODAY.isoformat()
    assert csv_path.read_text(encoding="utf-8").startswith("section,item,count")


def test_host_serve_command_answers_over_iso8583(tmp_path, config):
    import os
    import subprocess
    import sys
    from kiosk.config import REPO_ROOT
    from kiosk.host.iso8583_client import Iso8583Client
    from kiosk.host.stan import StanCounter
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "host", "serve", "--config",
                               _toml(tmp_path), "--listen", "127.0.0.1:0", "--plaintext-demo"],
                              cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    try:
        line = server.stdout.readline()
        address = line.split(" on ")[-1].strip()
        client = Iso8583Client(address, terminal_id="KSK00009", acquirer_id="31010000",
                               stans=StanCounter(tmp_path / "client.db"), timeout_s=5)
        assert client.identify_card("6222020000000000034").customer.name == "测试丙"
        client.close()
    finally:
        server.terminate()
        assert server.wait(timeout=10) == 0
        server.stdout.close()


def test_eod_prints_on_the_receipt_printer(tmp_path, capsys):
    from drivers.printer.emulator import PrinterEmulator
    from kiosk.resources import FONT
    emu = PrinterEmulator(tmp_path / "printer.pty", output_dir=tmp_path / "receipts",
                          font_path=FONT, pace=False)
    emu.start()
    try:
        cfg = _toml(tmp_path)
        with open(cfg, "a", encoding="utf-8") as fh:
            fh.write(f'[devices.printer]\nport = "{tmp_path / "printer.pty"}"\n'
                     'status_timeout_ms = 500\n')
        assert main(["eod", "--config", cfg, "--date", TODAY.isoformat(), "--print"]) == 0
        assert "NO TRANSFERS (nothing to balance)" in capsys.readouterr().out
        assert emu.wait_rendered(timeout=20)
        slip = emu.receipts()[-1]
        assert slip.complete and "日终报表" in slip.text
        assert f"EOD-KSK-0001-{TODAY:%Y%m%d}" in slip.text + " ".join(slip.qr)
    finally:
        emu.stop()
