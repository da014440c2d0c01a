"""The ESC/POS driver against the emulator on a real pty: status, faults, events, timing."""
from __future__ import annotations

import os
import time
import tty

import pytest

from drivers.base import DeviceEvent, StatusChanged
from drivers.errors import TransportError
from drivers.printer.base import PrinterFault
from drivers.printer.escpos_serial import EscPosPrinter
from kiosk.documents.balance import balance_slip
from kiosk.documents.statement import account_statement

from .printer_data import CTX, account, statement


def paper_events(events):
    return [e.data["paper"] for e in events
            if isinstance(e, DeviceEvent) and e.name == "PaperThresholdEvent"]


def test_healthy_printer_reports_online_full_closed(printer):
    assert printer.status() == {"device": "online", "paper": "full", "media": "notSupported",
                                "cover": "closed", "cutter": "ok"}
    assert printer.last_status.answered and printer.last_status.fault is None


def test_status_reading_is_timed_and_repeatable(printer):
    readings = [printer.read_status() for _ in range(3)]
    assert all(r.answered and r.status_ms > 0 for r in readings)
    assert {r.paper for r in readings} == {"full"}


def test_paper_low_then_out_then_replaced_fire_threshold_events(printer, emulator):
    events = []
    printer.subscribe(events.append)
    emulator.perform("paper_low")
    printer.poll()
    assert printer.status()["paper"] == "low" and printer.state == "online"
    emulator.perform("paper_out")
    printer.poll()
    assert printer.status()["paper"] == "out" and printer.state == "userError"
    emulator.perform("paper_replaced")
    printer.poll()
    assert paper_events(events) == ["low", "out", "full"]
    assert printer.state == "online"
    printer.poll()  # no change, no event
    assert paper_events(events) == ["low", "out", "full"]


def test_cover_and_cutter_faults_are_status_changes(printer, emulator):
    events = []
    printer.subscribe(events.append)
    emulator.perform("cover_open")
    printer.poll()
    assert printer.status()["cover"] == "open" and printer.state == "userError"
    emulator.perform("cover_close")
    emulator.perform("cutter_jam")
    printer.poll()
    assert printer.status()["cutter"] == "error" and printer.state == "hardwareError"
    emulator.perform("cover_open")
    emulator.perform("cover_close")
    printer.poll()
    assert printer.state == "online" and printer.status()["cutter"] == "ok"
    changes = [(e.field, e.new) for e in events if isinstance(e, StatusChanged)]
    assert ("cover", "open") in changes and ("cutter", "error") in changes
    assert changes[-1] == ("device", "online")


def test_job_refused_before_printing_when_paper_is_out(printer, emulator):
    emulator.perform("paper_out")
    with pytest.raises(PrinterFault) as info:
        printer.print_document(balance_slip(account(), "BAL1", CTX))
    assert info.value.fault == "paperOut" and info.value.pages_done == 0
    assert "replace the paper roll" in str(info.value) and str(emulator.link) in str(info.value)
    emulator.wait_rendered(30)
    assert emulator.receipts() == []


def test_paper_out_mid_statement_reports_how_far_it_got(printer, emulator):
    emulator.load_paper(90)  # page 1 takes ~60 lines: the roll ends on page 2
    doc = account_statement(statement(30), "STM261128000050", CTX)
    done = []
    with pytest.raises(PrinterFault) as info:
        printer.print_document(doc, on_page=done.append)
    assert info.value.fault == "paperOut"
    assert info.value.pages_done == 1 and done == [1]
    assert 0 < info.value.lines_sent
    emulator.wait_rendered(30)
    complete = [r for r in emulator.receipts() if r.complete]
    partial = [r for r in emulator.receipts() if not r.complete]
    assert len(complete) == 1 and "第 1/3 页 Page 1 of 3" in complete[0].text
    assert len(partial) == 1 and partial[0].path.name.endswith("-partial.png")


def test_silent_printer_is_offline_never_paper_ok(tmp_path):
    master, slave = os.openpty()  # a port with nothing answering on it
    tty.setraw(slave)
    try:
        dev = EscPosPrinter("printer", port=os.ttyname(slave), status_timeout_ms=30)
        dev.open()
        try:
            assert dev.state == "offline" and dev.status()["paper"] == "unknown"
            assert dev.last_status.fault == "offline"
            started = time.monotonic()
            with pytest.raises(PrinterFault) as info:
                dev.print_document(balance_slip(account(), "BAL2", CTX))
            assert info.value.fault == "offline" and time.monotonic() - started < 1
        finally:
            dev.close()
    finally:
        os.close(master)
        os.close(slave)


def test_unplugged_printer_raises_transport_error_and_no_device(printer, emulator):
    emulator.perform("unplug")
    with pytest.raises(TransportError):
        printer.poll()
    assert printer.state == "noDevice"
    printer.close()
    emulator.perform("replug")
    printer.open()
    assert printer.state == "online"


def test_missing_port_names_device_and_port(tmp_path):
    dev = EscPosPrinter("printer", port=str(tmp_path / "nothing"))
    with pytest.raises(TransportError, match="nothing.*USB cable"):
        dev.open()
    assert dev.state == "noDevice"
