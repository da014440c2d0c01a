"""Queue tickets (appointment code from the scanner, printed ticket) and the printer running
out of paper during a statement, through the whole core on emulated devices."""
from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image
from pyzbar import pyzbar

from drivers.barcode.scanned_codes import appointment_text
from kiosk.session.states import Step


def qr_texts(path) -> list[str]:
    return [c.data.decode() for c in pyzbar.decode(Image.open(path))]


def test_booked_customer_gets_a_priority_ticket(harness_factory):
    kiosk = harness_factory(chipcard=False, scanner=True)
    kiosk.send("start")
    kiosk.send("choose", option="ticket")
    kiosk.step(Step.IDENTIFY)
    code = appointment_text(kiosk.config.kiosk.branch, dt.date.today(), dt.time(9, 30), "Q7K2M9")
    kiosk.emulator("scanner").send_scan(code)
    service = kiosk.step(Step.TICKET_SERVICE)
    assert kiosk.session.data.appointment.code == "Q7K2M9"
    kiosk.send("choose", service=service.view["services"][0]["id"])
    ticket = kiosk.step(Step.TICKET_ISSUED)
    assert ticket.view["priority"] and ticket.view["number"] == "V001"
    assert ticket.view["printed"] and ticket.message_id == "ticket_priority"
    printer = kiosk.emulator("printer")
    assert printer.wait_rendered(10)
    slip = printer.receipts()[-1]
    reference = kiosk.journal("ticket.issued")[0].fields["reference"]
    assert qr_texts(slip.path) == [reference]
    assert ticket.view["form_qr"] == f"BKR1|{kiosk.config.kiosk.id}|ticket|{reference}"
    kiosk.send("done")
    assert kiosk.step(Step.TAKE_ITEMS).view["items"] == ["ticket"]


def test_an_appointment_for_another_branch_is_refused(harness_factory):
    kiosk = harness_factory(chipcard=False, scanner=True)
    kiosk.send("start")
    kiosk.send("choose", option="ticket")
    kiosk.step(Step.IDENTIFY)
    code = appointment_text("440301002", dt.date.today(), dt.time(9, 30), "Q7K2M9")
    kiosk.emulator("scanner").send_scan(code)
    error = kiosk.step(Step.ERROR)
    assert error.message_id == "appointment_invalid" and "ticket" in error.view["ways"]
    assert kiosk.session.data.appointment is None


def test_ticket_number_shown_when_the_printer_is_out_of_paper(kiosk):
    kiosk.emulator("printer").perform("paper_out")
    kiosk.send("start")
    kiosk.send("choose", option="ticket")
    kiosk.send("skip")
    kiosk.send("choose", service="general")
    ticket = kiosk.step(Step.TICKET_ISSUED)
    assert ticket.view["number"] == "A001" and not ticket.view["printed"]
    assert ticket.message_id == "ticket_not_printed"


@pytest.mark.pcscd
def test_paper_runs_out_during_a_statement_and_it_resumes(card_kiosk):
    kiosk = card_kiosk
    printer = kiosk.emulator("printer")
    printer.load_paper(12)                   # runs out part way through the first page
    kiosk.insert_card("unionpay_debit")
    kiosk.enter_pin("123456")
    kiosk.step(Step.MENU)
    kiosk.send("choose", option="statement")
    kiosk.step(Step.STATEMENT_PERIOD)
    kiosk.send("choose", period="this_year")
    kiosk.step(Step.STATEMENT_PREVIEW)
    kiosk.send("print")
    error = kiosk.step(Step.ERROR, timeout=20)
    assert error.message_id == "statement_paper_out"           # what became of the statement
    assert error.view["detail"] == "statement_resumes"         # and how it goes on
    assert error.view["ways"] == ["retry", "call_staff", "end"]
    failed = kiosk.journal("receipt.interrupted")
    assert failed and failed[0].fields["document"] == "statement"
    printer.perform("paper_replaced")
    kiosk.send("retry")
    take = kiosk.step(Step.TAKE_ITEMS, timeout=20)
    assert take.view["items"] == ["receipt", "card"]
    assert printer.wait_rendered(10)
    reference = kiosk.journal("statement.issued")[0].fields["reference"]
    whole = [r for r in printer.receipts() if r.complete]
    assert whole and all(qr_texts(r.path) == [reference] for r in whole)
    assert any(not r.complete for r in printer.receipts())   # the slip cut short is kept
