"""Journeys with the ID card reader and the printer (no bank card): lost card report and a
queue ticket, touched on the offscreen window."""
from __future__ import annotations

import logging

import pytest
from PIL import Image
from pyzbar import pyzbar

from kiosk.session.states import Step

pytestmark = pytest.mark.ui

PAN = "6222020000000000018"            # 测试甲's debit card (shared test data)
ID_NUMBER = "110101199003071030"


def test_lost_card_report_with_id_card_and_receipt(ui, caplog):
    caplog.set_level(logging.DEBUG)
    ui.wait_step(Step.ATTRACT)
    identify = ui.begin("service_lost_card")
    assert ui.tr("ID card") in ui.visible_texts()
    assert ui.tr("Bank card") not in ui.visible_texts()     # only the ID card identifies here
    assert identify.message == ui.tr("identify_idcard")
    ui.emulator("idcard").perform("place_card", "ceshi_jia")
    number = ui.wait_step(Step.LOST_CARD_NUMBER)
    texts = ui.visible_texts()
    assert "110101 **** 1030" in texts and "测*甲" in texts
    ui.type_digits(number.ids.keypad, PAN[:-1] + "9")        # one digit mistyped
    ui.tap(number.ids.submit)
    ui.wait(lambda: ui.session.state.view.get("problem") == "account_number_invalid",
            "Luhn check")
    ui.pump(2)
    assert ui.tr("account_number_invalid") in ui.visible_texts()
    ui.tap(ui.tr("Delete"))
    ui.type_digits(number.ids.keypad, "8")
    ui.tap(number.ids.submit)
    confirm = ui.wait_step(Step.LOST_CARD_CONFIRM)
    assert "622202 **** 0018" in ui.visible_texts()
    ui.tap(confirm.ids.confirm)
    result = ui.wait_step(Step.LOST_CARD_RESULT)
    reference = result.state.view["reference"]
    assert reference in ui.visible_texts()
    ui.tap(result.ids.receipt)
    ui.wait_step(Step.TAKE_ITEMS, timeout=20)
    printer = ui.emulator("printer")
    assert printer.wait_rendered(10)
    receipt = printer.receipts()[-1]
    assert [c.data.decode() for c in pyzbar.decode(Image.open(receipt.path))] == [reference]
    everything = caplog.text + receipt.text
    assert PAN not in everything and ID_NUMBER not in everything


def test_queue_ticket_for_the_counter_with_form_qr(ui):
    ui.wait_step(Step.ATTRACT)
    ui.tap_msg("Start")
    menu = ui.wait_step(Step.MENU)
    ui.tap(menu.ids.more)                                     # counter services are on page 2
    ui.wait(lambda: ui.session.state.view.get("page") == 2, "page 2")
    ui.pump(2)
    ui.tap_msg("service_open_account")
    ui.wait_step(Step.IDENTIFY)
    ui.tap_msg("Continue without")
    issued = ui.wait_step(Step.TICKET_ISSUED, timeout=15)
    view = issued.state.view
    assert issued.ids.number.text == view["number"] and view["number"]
    assert ui.tr("ticket_business") in ui.visible_texts()
    assert issued.ids.form_qr.texture is not None
    issued.ids.form_qr.export_to_png(str(ui.config.data_dir / "form_qr.png"))
    decoded = pyzbar.decode(Image.open(ui.config.data_dir / "form_qr.png"))
    assert [c.data.decode() for c in decoded] == [view["form_qr"]]
    assert ui.tr("Your counter form is filled in already: staff scan this code.") \
        in ui.visible_texts()                                # the code on screen says its use
    printer = ui.emulator("printer")
    assert printer.wait_rendered(10)
    from kiosk.documents.ticket import FORM_QR_LABEL
    printed = printer.receipts()[-1].lines
    assert all(label in printed for label in FORM_QR_LABEL)   # and so does the printed one
    ui.tap(issued.ids.done)
    ui.wait(lambda: ui.session.state.step in (Step.TAKE_ITEMS, Step.RATING, Step.GOODBYE),
            "ticket journey ends")
