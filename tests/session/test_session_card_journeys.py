"""Bank card journeys through the whole core: pcscd + vpcd chip card emulator, the printer
emulator, the sandbox bank, the transfer service and the journal."""
from __future__ import annotations

import logging

import pytest
from PIL import Image
from pyzbar import pyzbar

from kiosk.session.states import Step

pytestmark = pytest.mark.pcscd

PAN = "6222020000000000018"


def sign_in(kiosk, profile: str = "unionpay_debit", pin: str = "123456",
            then: Step | None = Step.MENU) -> None:
    kiosk.insert_card(profile)
    kiosk.enter_pin(pin)
    if then is not None:
        kiosk.step(then)


def qr_texts(path) -> list[str]:
    return [c.data.decode() for c in pyzbar.decode(Image.open(path))]


def test_balance_query_with_deposit_suggestion_and_slip(card_kiosk, caplog):
    caplog.set_level(logging.DEBUG)
    kiosk = card_kiosk
    sign_in(kiosk)
    kiosk.step(Step.MENU)
    assert kiosk.session.data.pin_verified and not kiosk.session.data.pin_digits
    kiosk.send("choose", option="balance")
    overview = kiosk.step(Step.ACCOUNTS)
    accounts = overview.view["accounts"]
    assert [a["number_masked"] for a in accounts] == ["622202*********0018",
                                                      "622202*********0016"]
    assert accounts[0]["balance_fen"] == 5_234_000
    assert overview.view["customer_name"] == "测*甲"
    assert overview.suggestion == {"id": "deposit", "message_id": "suggest_deposit"}
    kiosk.send("dismiss_suggestion")
    assert kiosk.session.state.suggestion is None
    kiosk.send("print")
    take = kiosk.step(Step.TAKE_ITEMS)
    assert take.view["items"] == ["receipt", "card"]
    printer = kiosk.emulator("printer")
    assert printer.wait_rendered(10)
    slip = printer.receipts()[-1]
    assert slip.path.exists() and "52,340.00" in slip.text and PAN not in slip.text
    kiosk.remove_card()
    left = kiosk.recorder.wait(lambda s: s.step == Step.TAKE_ITEMS and s.view["items"] == ["receipt"])
    assert left.message_id == "take_receipt"
    kiosk.send("done")
    kiosk.step(Step.RATING)
    assert kiosk.session.data.is_empty()
    assert PAN not in caplog.text and "123456" not in caplog.text


def test_statement_preview_and_print(card_kiosk):
    kiosk = card_kiosk
    sign_in(kiosk)
    kiosk.send("choose", option="statement")
    period = kiosk.step(Step.STATEMENT_PERIOD)
    assert period.view["account_masked"] == "622202*********0018"
    kiosk.send("choose", period="this_year")
    preview = kiosk.step(Step.STATEMENT_PREVIEW)
    host = kiosk.core.host
    statement = host.statement(host.accounts("6222020000000000018")[0].account_id, *(__import__("datetime").date.fromisoformat(d)
                                          for d in (preview.view["date_from"],
                                                    preview.view["date_to"])))
    assert preview.view["line_count"] == len(statement.lines)
    assert preview.view["closing_fen"] == statement.closing_fen
    kiosk.send("print")
    kiosk.step(Step.PRINTING)
    kiosk.step(Step.TAKE_ITEMS, timeout=20)
    printer = kiosk.emulator("printer")
    assert printer.wait_rendered(10)
    pages = [r for r in printer.receipts() if r.complete]
    reference = kiosk.journal("statement.issued")[0].fields["reference"]
    assert pages and all(qr_texts(p.path) == [reference] for p in pages)
    progress = [s.view["progress"] for s in kiosk.recorder.states if s.step == Step.PRINTING]
    assert progress[0] == 0.0


def test_wrong_pin_then_right_pin(card_kiosk):
    kiosk = card_kiosk
    kiosk.insert_card("unionpay_debit")
    first = kiosk.step(Step.PIN)
    kiosk.enter_pin("111111")
    again = kiosk.recorder.wait(lambda s: s.step == Step.PIN and s.message_id == "pin_wrong")
    assert again.view["tries_left"] == 2 and again.view["entered"] == 0
    assert again.view["keys"] != first.view["keys"] or sorted(again.view["keys"]) == list(range(10))
    kiosk.enter_pin("123456")
    kiosk.step(Step.MENU)
    assert [e.fields["tries_left"] for e in kiosk.journal("pin.wrong")] == [2]


def test_pin_locked_on_the_chip_goes_to_the_counter_before_any_pin(card_kiosk):
    kiosk = card_kiosk
    kiosk.insert_card("pin_blocked")                   # 9F17 = 0: no PIN can succeed
    error = kiosk.recorder.wait(lambda s: s.step in (Step.ERROR, Step.PIN))
    assert error.step == Step.ERROR and error.message_id == "pin_locked"
    assert error.view["ways"] == ["ticket", "call_staff", "end"]
    assert Step.PIN not in kiosk.recorder.steps() and not kiosk.session.data.pin_verified


def test_pin_tries_come_from_the_chip_and_the_last_one_is_warned(card_kiosk):
    kiosk = card_kiosk
    kiosk.insert_card("unionpay_debit")
    first = kiosk.step(Step.PIN)
    assert first.view["tries_left"] == 3 and first.message_id == "enter_pin"
    kiosk.enter_pin("111111")
    kiosk.recorder.wait(lambda s: s.step == Step.PIN and s.message_id == "pin_wrong")
    kiosk.enter_pin("111111")
    last = kiosk.recorder.wait(lambda s: s.step == Step.PIN and s.view["tries_left"] == 1)
    assert last.message_id == "pin_wrong_last_try"
    kiosk.enter_pin("123456")
    kiosk.step(Step.MENU)


def test_the_chips_count_is_shown_when_below_the_hosts_and_stays_the_smaller(card_kiosk):
    kiosk = card_kiosk
    kiosk.insert_card("pin_two_tries")                 # 9F17 = 2, the bank still has 3
    first = kiosk.step(Step.PIN)
    assert first.view["tries_left"] == 2 and first.message_id == "enter_pin"
    kiosk.enter_pin("111111")                          # the bank now says 2, the chip 1
    last = kiosk.recorder.wait(lambda s: s.step == Step.PIN and s.message_id != "enter_pin")
    assert last.view["tries_left"] == 1 and last.message_id == "pin_wrong_last_try"
    assert [e.fields["tries_left"] for e in kiosk.journal("pin.wrong")] == [1]
    kiosk.enter_pin("123456")
    kiosk.step(Step.MENU)


def test_a_chip_at_its_last_try_warns_first_and_one_wrong_pin_locks(card_kiosk):
    kiosk = card_kiosk
    kiosk.insert_card("pin_last_try")                  # 9F17 = 1, the bank still has 3
    first = kiosk.step(Step.PIN)
    assert first.view["tries_left"] == 1 and first.message_id == "enter_pin_last_try"
    assert first.view["entered"] == 0                  # warned before any PIN is typed
    kiosk.enter_pin("111111")
    error = kiosk.recorder.wait(lambda s: s.step == Step.ERROR or
                                (s.step == Step.PIN and s.message_id != first.message_id))
    assert error.step == Step.ERROR and error.message_id == "pin_locked"
    assert error.view["ways"] == ["ticket", "call_staff", "end"]
    assert len(kiosk.journal("pin.locked")) == 1 and not kiosk.journal("pin.wrong")
    assert not kiosk.session.data.pin_verified


@pytest.mark.parametrize("profile, message", [("expired", "card_expired"),
                                              ("blocked_card", "card_blocked"),
                                              ("blocked_app", "card_blocked")])
def test_a_card_the_chip_refuses_gets_its_reason_and_an_exit_not_retry(card_kiosk, profile,
                                                                      message):
    kiosk = card_kiosk
    kiosk.insert_card(profile)
    error = kiosk.recorder.wait(lambda s: s.step in (Step.ERROR, Step.PIN))
    assert error.step == Step.ERROR and error.message_id == message
    assert "retry" not in error.view["ways"] and "end" in error.view["ways"]


def test_transaction_query_pages_in_elderly_mode(card_kiosk):
    kiosk = card_kiosk
    kiosk.send("elderly", on=True)
    sign_in(kiosk)
    menu = kiosk.session.state
    assert menu.elderly and len(menu.view["options"]) == kiosk.config.ui.elderly_page_size
    kiosk.send("choose", option="transactions")
    first = kiosk.step(Step.TRANSACTIONS)
    assert first.view["range"] == "30_days" and first.view["page"] == 1
    kiosk.send("range", range="90_days")
    page1 = kiosk.recorder.wait(lambda s: s.step == Step.TRANSACTIONS
                                and s.view["range"] == "90_days")
    size = kiosk.config.ui.elderly_page_size
    assert page1.view["total"] > size and len(page1.view["items"]) == size
    assert page1.view["pages"] == -(-page1.view["total"] // size)
    assert "previous" not in page1.actions and "next" in page1.actions
    kiosk.send("next")
    page2 = kiosk.recorder.wait(lambda s: s.step == Step.TRANSACTIONS and s.view["page"] == 2)
    seen = page1.view["items"] + page2.view["items"]
    assert len({(i["posted_at"], i["amount_fen"], i["balance_fen"]) for i in seen}) == len(seen)
    assert all("counterparty_masked" in i for i in seen)
    kiosk.send("previous")
    kiosk.recorder.wait(lambda s: s.step == Step.TRANSACTIONS and s.view["page"] == 1)


def test_card_with_two_applications_asks_which(card_kiosk):
    kiosk = card_kiosk
    kiosk.insert_card("two_apps")
    choice = kiosk.step(Step.CHOOSE_APPLICATION)
    labels = [a["label"] for a in choice.view["applications"]]
    assert len(labels) == 2 and all(labels)
    kiosk.send("choose", index=0)
    kiosk.step(Step.PIN)
    assert kiosk.session.data.pan in ("6222020000000000042", "6259650000000000041")
    chosen = kiosk.session.data.pan
    kiosk.enter_pin("123456")
    kiosk.step(Step.MENU)
    assert kiosk.journal("card.identified")[0].fields["card"] == chosen[:6] + "*" * 9 + chosen[-4:]


def _reachable(root, limit=300_000):
    """Every object reachable from `root` (modules, classes and code left out)."""
    import gc
    import types
    skip = (types.ModuleType, type, types.FunctionType, types.CodeType, types.BuiltinFunctionType)
    seen, todo, found = set(), [root], []
    while todo and len(seen) < limit:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        found.append(obj)
        todo.extend(gc.get_referents(obj))
    return found


def test_pin_digits_are_wiped_once_the_block_is_built(card_kiosk):
    kiosk = card_kiosk
    kiosk.insert_card("unionpay_debit")
    keys = kiosk.step(Step.PIN).view["keys"]
    for digit in "1234":
        kiosk.send("digit", key=keys.index(int(digit)))
    digits = kiosk.session.data.pin_digits
    assert list(digits.view()) == [1, 2, 3, 4]
    kiosk.send("ok")                                     # too short: nothing is sent
    assert kiosk.session.state.view["problem"] == "pin_too_short"
    kiosk.send("backspace")
    assert list(digits.view()) == [1, 2, 3]
    kiosk.send("clear")
    assert len(digits) == 0
    raw = digits.view().obj
    kiosk.enter_pin("864209")                            # a wrong PIN: the host says so
    kiosk.recorder.wait(lambda s: s.step == Step.PIN and s.message_id.startswith("pin_wrong"))
    kiosk.session.wait_idle()
    # the buffer the digits were typed into is zeroed, and nothing the session holds (data,
    # services, the in-process bank, the journal) keeps the PIN in a str, bytes or buffer
    assert raw == bytearray(len(raw)) and len(kiosk.session.data.pin_digits) == 0
    ascii_pin, values = b"864209", bytes([8, 6, 4, 2, 0, 9])
    held = _reachable(kiosk.session)
    assert any(obj is kiosk.core.host for obj in held)   # the walk reaches the bank's side too
    for obj in held:
        if isinstance(obj, str):
            assert "864209" not in obj
        elif isinstance(obj, (bytes, bytearray)):
            assert ascii_pin not in obj and values not in obj
    kiosk.enter_pin("123456")
    kiosk.step(Step.MENU)
    assert len(kiosk.session.data.pin_digits) == 0
    kiosk.send("end")
    take = kiosk.step(Step.TAKE_ITEMS)
    assert take.view["items"] == ["card"] and kiosk.session.data.is_empty()
    kiosk.remove_card()
    kiosk.step(Step.GOODBYE)


def test_vip_card_gets_a_priority_ticket_without_a_pin(card_kiosk):
    kiosk = card_kiosk
    kiosk.send("start")
    kiosk.send("choose", option="ticket")
    identify = kiosk.step(Step.IDENTIFY)
    assert "card" in identify.view["methods"]
    kiosk.insert_card("unionpay_debit")                   # 测试甲 is a VIP customer
    service = kiosk.step(Step.TICKET_SERVICE)
    assert service.view["vip"] and not kiosk.session.data.pin_verified
    kiosk.send("choose", service="wealth")
    ticket = kiosk.step(Step.TICKET_ISSUED)
    assert ticket.view["priority"] and ticket.view["number"] == "V001"
    kiosk.send("done")
    take = kiosk.step(Step.TAKE_ITEMS)
    assert take.view["items"] == ["ticket", "card"] and take.message_id == "take_card"
