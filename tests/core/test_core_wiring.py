"""The composition root wires risk rules, held transfers and device faults to staff and journal."""
from __future__ import annotations


import pytest

from drivers.base import StatusChanged
from kiosk.core import KioskCore
from kiosk.host.models import TransferInstruction, TransferKind
from kiosk.transfers import TransferOrder
from tests.harness import demo_config_in, pin_verified

PAN = "6222020000000000018"          # 测试甲 in the sandbox bank
PAYEE = ("6222020000000000034", "测试丙")


@pytest.fixture
def core(tmp_path):
    config = demo_config_in(tmp_path)
    kiosk = KioskCore(config)
    kiosk.start()
    yield kiosk
    kiosk.stop()


def send(core: KioskCore, amount_fen: int):
    order = TransferOrder(PAN, TransferInstruction(
        core.host.accounts(PAN)[0].account_id, PAYEE[0], PAYEE[1], amount_fen,
        TransferKind.INTRABANK,
        auth_ref=pin_verified(core.host, PAN, core.config.host.terminal_key_hex)))
    return core.transfers.transfer(order, fraud_warning_acknowledged=True,
                                   new_payee_acknowledged=True)


def test_structuring_and_held_transfers_become_staff_alerts(core):
    for _ in range(3):
        send(core, 19_000)
    send(core, 25_000)  # over the large-transfer threshold: held
    kinds = sorted(a.kind for a in core.alerts.active())
    assert kinds == ["heldTransfer", "riskFlag"]
    for alert in core.alerts.active():
        assert PAN not in alert.message and PAN not in str(alert.data)


def test_device_faults_reach_the_journal(core):
    core.bus.publish(StatusChanged("printer", "printer", "paper", "full", "out"))
    faults = core.journal.find(("device.fault",), device="printer")
    assert [(f["field"], f["new"]) for f in faults] == [("paper", "out")]
    assert core.wired == {"journal": True, "host": True, "alerts": True, "print_queue": False,
                          "transfers": True}


def test_finished_print_jobs_are_counted_in_the_journal(core):
    from kiosk.print_queue import JobState, PrintJob, PrintJobEvent
    job = PrintJob(7, "statement", "R0001", JobState.DONE, 3, 3, "", None, 0.0, 0.0)
    core.bus.publish(PrintJobEvent(job))
    core.bus.publish(PrintJobEvent(PrintJob(8, "receipt", "R0002", JobState.INTERRUPTED, 1, 0,
                                            "paperOut", None, 0.0, 0.0)))
    printed = core.journal.find(("receipt.printed",))
    assert [(r["document"], r["pages"]) for r in printed] == [("statement", 3)]
    assert core.journal.find(("receipt.interrupted",))[0]["fault"] == "paperOut"
