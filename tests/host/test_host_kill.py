"""SIGKILL the kiosk's transfer worker at random moments (>= 200 times over both backends),
restart, recover, and check the books: no double debit, nothing lost or half-done, the ledger
balances, the journal chain verifies, nothing left PENDING."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from kiosk.host.iso8583_server import Iso8583Server
from kiosk.host.sandbox import SandboxBank
from kiosk.journal import Journal
from kiosk.transfers import CLOSING

from .kill_worker import kiosk_config, open_service

WORKER = Path(__file__).with_name("kill_worker.py")
OPENING = {"6222020000000000018": 5_234_000, "6222020000000100016": 2_000_000,
           "6222020000000000034": 880_000}   # by account number


def run_supervisor(folder: Path, kills: int, seed: int, iso: str | None = None) -> dict:
    cmd = [sys.executable, str(WORKER), "--dir", str(folder), "--kills", str(kills),
           "--seed", str(seed)] + (["--iso", iso] if iso else [])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=100,
                          env={**os.environ, "PYTHONPATH": str(WORKER.parents[2])})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_books(folder: Path) -> dict:
    config = kiosk_config(folder, None)
    bank = SandboxBank.from_config(config)
    journal = Journal.from_config(config)
    service = open_service(config)
    try:
        assert journal.verify().ok
        assert journal.open_refs("transfer.pending", CLOSING) == []
        assert bank.ledger_problems() == []   # sums to zero, entries balanced, no STAN twice
        outcomes = bank.request_outcomes(config.host.terminal_id)
        approved = {r["stan"]: r for r in journal.find(("transfer.approved",))}
        reversed_ = {r["stan"] for r in journal.find(("transfer.reversed",))}
        declined = {r["stan"] for r in journal.find(("transfer.declined",))}
        pending = {r["stan"] for r in journal.find(("transfer.pending",))}
        assert approved.keys() | reversed_ | declined == pending   # every transfer closed
        assert not (approved.keys() & reversed_) and not (approved.keys() & declined)
        assert {s for s, o in outcomes.items() if o == "approved"} == set(approved)
        assert all(outcomes.get(s) in ("reversed", "declined", None) for s in reversed_)
        # Balances follow from the journal's approved transfers and nothing else.
        ids = bank.account_ids()
        key_to_account = {service.risk.key(number): ids[number] for number in OPENING}
        expected = defaultdict(int, {ids[number]: fen for number, fen in OPENING.items()})
        for row in approved.values():
            expected[row["from_account_id"]] -= row["amount_fen"] + row["fee_fen"]
            if row["payee_key"] in key_to_account:
                expected[key_to_account[row["payee_key"]]] += row["amount_fen"]
        balances = {}
        for pan in ("6222020000000000018", "6222020000000000034"):
            balances |= {a.account_id: a.balance_fen for a in bank.accounts(pan)}
        assert balances == dict(expected)
        return {"approved": len(approved), "reversed": len(reversed_),
                "declined": len(declined), "host_reversed": sum(
                    1 for o in outcomes.values() if o == "reversed")}
    finally:
        service.close()
        journal.close()
        bank.close()


@pytest.mark.slow
def test_kill_worker_in_process_sandbox(tmp_path):
    SandboxBank.from_config(kiosk_config(tmp_path, None)).seed()
    summary = run_supervisor(tmp_path, kills=150, seed=7)
    assert summary["kills"] == 150 and summary["still_open"] == 0
    books = check_books(tmp_path)
    assert books["approved"] >= 50         # the worker really got transfers through
    assert books["reversed"] >= 5          # and some were caught mid-flight


@pytest.mark.slow
def test_kill_worker_over_iso8583(tmp_path):
    config = kiosk_config(tmp_path, None)
    bank = SandboxBank.from_config(config)
    bank.seed()
    with Iso8583Server(bank) as server:
        summary = run_supervisor(tmp_path, kills=80, seed=11, iso="%s:%d" % server.address)
    bank.close()
    assert summary["kills"] == 80 and summary["still_open"] == 0
    books = check_books(tmp_path)
    assert books["approved"] >= 10 and books["reversed"] >= 5
