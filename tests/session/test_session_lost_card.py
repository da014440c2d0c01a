"""Lost card report and ID-card journeys through the whole core: the ID card reader and the
printer emulators on ptys, the sandbox bank, the journal, the print queue."""
from __future__ import annotations

import logging
import time

from pyzbar import pyzbar
from PIL import Image

from kiosk.session.states import Step

PAN = "6222020000000000018"          # 测试甲's debit card (shared test data)
ID_NUMBER = "110101199003071030"


def lay_id_card(kiosk, person: str) -> None:
    kiosk.emulator("idcard").perform("place_card", person)


def test_lost_card_report_with_receipt(kiosk, caplog):
    caplog.set_level(logging.DEBUG)
    kiosk.send("start")
    kiosk.send("choose", option="lost_card")
    identify = kiosk.step(Step.IDENTIFY)
    assert identify.view["methods"] == ["idcard"]
    lay_id_card(kiosk, "ceshi_jia")
    number = kiosk.step(Step.LOST_CARD_NUMBER)
    assert number.view["id_masked"] == "110101********1030"
    assert number.view["name_masked"] == "测*甲"
    kiosk.send("submit", card_number=PAN[:-1] + "9")        # one digit mistyped: Luhn fails
    assert kiosk.session.state.view["problem"] == "account_number_invalid"
    kiosk.send("submit", card_number=PAN)
    confirm = kiosk.step(Step.LOST_CARD_CONFIRM)
    assert confirm.view["card_masked"] == "622202*********0018"
    kiosk.send("confirm")
    result = kiosk.step(Step.LOST_CARD_RESULT)
    assert result.view["temporary"] and result.view["reference"]
    assert kiosk.core.host.identify_card(PAN).card_status == "lost"
    kiosk.send("receipt")
    kiosk.step(Step.PRINTING)
    take = kiosk.step(Step.TAKE_ITEMS)
    assert take.view["items"] == ["receipt"]
    printer = kiosk.emulator("printer")
    assert printer.wait_rendered(10)
    receipt = printer.receipts()[-1]
    assert receipt.path.exists() and receipt.complete
    decoded = [c.data.decode() for c in pyzbar.decode(Image.open(receipt.path))]
    assert decoded == [result.view["reference"]]
    assert "622202*********0018" in receipt.text and PAN not in receipt.text
    kiosk.send("done")
    kiosk.step(Step.RATING)
    assert kiosk.session.data.is_empty()
    rows = kiosk.journal("lost_card.reported")
    assert rows and rows[0].fields["card"] == "622202*********0018"
    everything = str([e.fields for e in kiosk.core.journal.entries()]) + caplog.text
    assert PAN not in everything and ID_NUMBER not in everything


def test_someone_elses_card_cannot_be_reported(kiosk):
    kiosk.send("start")
    kiosk.send("choose", option="lost_card")
    kiosk.step(Step.IDENTIFY)
    lay_id_card(kiosk, "ceshi_bing")               # 测试丙 reports 测试甲's card
    kiosk.step(Step.LOST_CARD_NUMBER)
    kiosk.send("submit", card_number=PAN)
    kiosk.step(Step.LOST_CARD_CONFIRM)
    kiosk.send("confirm")
    error = kiosk.step(Step.ERROR)
    assert error.message_id == "lost_card_not_yours"
    assert error.view["ways"] == ["back", "ticket", "end"]
    assert kiosk.core.host.identify_card(PAN).card_status == "active"
    kiosk.send("ticket")
    kiosk.step(Step.TICKET_SERVICE)              # identified by the ID card already
    kiosk.send("choose", service="business")
    ticket = kiosk.step(Step.TICKET_ISSUED)
    assert ticket.view["number"] == "B001" and ticket.view["printed"]


def test_id_card_lifted_mid_flow_ends_the_session_and_wipes_it(kiosk):
    kiosk.send("start")
    kiosk.send("choose", option="lost_card")
    kiosk.step(Step.IDENTIFY)
    lay_id_card(kiosk, "ceshi_jia")
    kiosk.step(Step.LOST_CARD_NUMBER)
    data = kiosk.session.data
    assert data.id_number == ID_NUMBER and data.id_record is not None
    kiosk.emulator("idcard").perform("remove_card")
    goodbye = kiosk.step(Step.GOODBYE)
    assert goodbye.message_id == "idcard_removed"
    assert data.is_empty() and data.id_number == "" and data.id_record is None
    assert kiosk.core.host.identify_card(PAN).card_status == "active"
    kiosk.clock.advance(10)
    kiosk.step(Step.ATTRACT)


def test_expired_or_forged_id_cards_are_refused(kiosk):
    kiosk.send("start")
    kiosk.send("choose", option="lost_card")
    kiosk.step(Step.IDENTIFY)
    lay_id_card(kiosk, "ceshi_yi")                 # expired in 2015
    error = kiosk.step(Step.ERROR)
    assert error.message_id == "idcard_expired"
    assert kiosk.session.data.id_number == ""
    kiosk.emulator("idcard").perform("remove_card")
    kiosk.wait_media("idcard", "notPresent")
    kiosk.send("retry")
    kiosk.step(Step.IDENTIFY)
    lay_id_card(kiosk, "ceshi_ding")               # wrong check digit
    error = kiosk.step(Step.ERROR)
    assert error.message_id == "idcard_unreadable"
    assert kiosk.session.data.id_number == ""


def test_a_broken_id_card_reader_is_not_offered(kiosk):
    kiosk.emulator("idcard").perform("unplug")
    deadline = time.monotonic() + 10
    while kiosk.core.devices.statuses()["idcard"]["device"] != "noDevice":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    kiosk.send("start")
    kiosk.send("choose", option="lost_card")
    error = kiosk.step(Step.ERROR)
    assert error.message_id == "idcard_reader_unavailable"
    assert error.view["ways"] == ["ticket", "call_staff", "end"]
    kiosk.send("end")
    kiosk.step(Step.GOODBYE)
