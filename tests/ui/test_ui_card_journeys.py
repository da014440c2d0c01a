"""Bank card journeys on the touchscreen: the chip card through pcscd + vpcd, the printer on a
pty, the sandbox bank and the transfer service, every step touched on the offscreen window."""
from __future__ import annotations

import logging

import pytest
from PIL import Image

from kiosk.session.states import Step

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]

PAN = "6222020000000000018"            # 测试甲's debit card (shared test data)
PAYEE = "6222020000000000034"          # 测试丙's debit card at the same bank


def test_balance_query_shows_masked_accounts_a_slip_button_and_a_way_to_finish(card_ui, caplog):
    caplog.set_level(logging.DEBUG)
    ui = card_ui
    ui.sign_in_for("service_balance")
    accounts = ui.wait_step(Step.ACCOUNTS)
    texts = ui.visible_texts()
    assert "622202 **** 0018" in texts and "¥52,340.00" in texts
    assert accounts.ids.accounts.children
    assert not any(PAN in t for t in ui.visible_texts())
    assert accounts.ids.done.style == "primary"                # finishing, not "other services"
    ui.tap(accounts.ids.print)
    ui.wait_step(Step.TAKE_ITEMS, timeout=20)
    printer = ui.emulator("printer")
    assert printer.wait_rendered(10)
    assert "52,340.00" in printer.receipts()[-1].text
    assert PAN not in caplog.text and "123456" not in caplog.text


def test_a_suggestion_waits_for_a_calm_screen_and_never_covers_content(card_ui):
    ui = card_ui
    ui.sign_in_for("service_balance")
    ui.wait_step(Step.ACCOUNTS)
    assert ui.session.state.suggestion                         # a large idle balance
    banner = ui.app.root.ids.suggestion
    assert ui.tr("suggest_deposit") not in ui.visible_texts() and banner.height == 0
    ui.tap_msg("Transactions")
    transactions = ui.wait_step(Step.TRANSACTIONS)
    ui.tap_msg("range_90_days")
    ui.wait(lambda: ui.session.state.view.get("range") == "90_days", "range changed")
    ui.pump(3)
    title = transactions.ids.title
    assert banner.height == 0 and ui.tr("suggest_deposit") not in ui.visible_texts()
    assert title.to_window(title.x, title.top)[1] <= ui.app.root.manager.top + 1
    ui.app.send("back")
    accounts = ui.wait_step(Step.ACCOUNTS)
    ui.tap(accounts.ids.done)                                  # 退卡并结束
    ui.wait_step(Step.TAKE_ITEMS)
    assert ui.tr("suggest_deposit") in ui.visible_texts() and banner.height > 0
    ui.tap_msg("No, thanks")
    ui.wait(lambda: ui.tr("suggest_deposit") not in ui.visible_texts(), "suggestion gone")


def test_wrong_pin_shows_tries_left_and_a_new_keypad(card_ui):
    ui = card_ui
    ui.sign_in(pin="000000")
    pin = ui.wait_step(Step.PIN)
    ui.wait(lambda: ui.session.state.message_id == "pin_wrong", "wrong PIN message")
    ui.pump(2)
    assert pin.message == ui.tr("pin_wrong")
    tries = ui.session.state.view["tries_left"]
    assert pin.ids.tries.text == ui.tr("Tries left: {n}", n=tries) and tries < 3
    assert pin.ids.masked.text == ""
    keys = [k.text for k in pin.ids.keypad.children]
    assert sorted(k for k in keys if k.isdigit()) == list("0123456789")
    ui.enter_pin("123456")
    ui.wait_step(Step.MENU)


def test_the_pin_screen_shows_the_chips_tries_and_warns_before_the_last(card_ui):
    ui = card_ui
    ui.wait_step(Step.ATTRACT)
    ui.emulator("chipcard").perform("insert_card", "pin_two_tries")     # 9F17 = 2, bank 3
    pin = ui.wait_step(Step.PIN)
    ui.pump(2)
    assert pin.ids.tries.text == ui.tr("Tries left: {n}", n=2)
    assert pin.message == ui.tr("enter_pin")
    ui.enter_pin("000000")
    ui.wait(lambda: ui.session.state.message_id == "pin_wrong_last_try", "last-try warning")
    ui.pump(2)
    assert pin.ids.tries.text == ui.tr("Tries left: {n}", n=1)          # the chip's, not 2
    assert pin.message == ui.tr("pin_wrong_last_try")


def test_a_card_at_its_last_try_is_warned_before_any_digit_and_locks_on_a_wrong_pin(card_ui):
    ui = card_ui
    ui.wait_step(Step.ATTRACT)
    ui.emulator("chipcard").perform("insert_card", "pin_last_try")      # 9F17 = 1, bank 3
    pin = ui.wait_step(Step.PIN)
    ui.pump(2)
    assert pin.message == ui.tr("enter_pin_last_try") and pin.ids.masked.text == ""
    assert pin.ids.tries.text == ui.tr("Tries left: {n}", n=1)
    ui.enter_pin("000000")
    error = ui.wait_step(Step.ERROR)
    assert error.message == ui.tr("pin_locked")


def test_statement_is_previewed_printed_and_the_receipt_is_reminded(card_ui):
    ui = card_ui
    ui.sign_in_for("service_statement")
    ui.wait_step(Step.STATEMENT_PERIOD)
    ui.tap_msg("period_last_3_months")
    preview = ui.wait_step(Step.STATEMENT_PREVIEW)
    assert "622202 **** 0018" in ui.visible_texts()
    ui.tap(preview.ids.print)
    take = ui.wait_step(Step.TAKE_ITEMS, timeout=20)
    assert take.message == ui.tr("take_receipt_and_card")
    printer = ui.emulator("printer")
    assert printer.wait_rendered(10)
    receipt = printer.receipts()[-1]
    image = Image.open(receipt.path)
    assert image.width >= ui.config.devices.printer.paper_width_dots and image.height > 300
    assert min(image.convert("L").getextrema()) < 64        # something is printed on it
    assert "622202*********0018" in receipt.text and PAN not in receipt.text
    ui.emulator("chipcard").perform("remove_card")
    ui.wait(lambda: ui.session.state.view.get("items") == ["receipt"], "card taken")
    ui.tap(take.ids.done)
    ui.wait_step(Step.RATING)


def test_transfer_to_a_new_payee_with_insufficient_funds_then_made(card_ui):
    from screens.widgets import pinyin_input
    pinyin_input.table()                       # as if the keyboard had been warmed up already
    ui = card_ui
    ui.sign_in_for("service_transfer")
    entry = ui.wait_step(Step.PAYEE_ENTRY)
    ui.type_digits(entry.ids.keypad, PAYEE)
    assert entry.ids.account_field.value == "6222 0200 0000 0000 034"
    ui.tap(entry.ids.name_field)
    ui.type_name(entry, [("ce", "测"), ("shi", "试"), ("bing", "丙")])
    assert entry.payee_name == "测试丙"
    ui.tap(entry.ids.submit)
    check = ui.wait_step(Step.PAYEE_CHECK)
    assert "测*丙" in ui.visible_texts()
    ui.tap(check.ids.confirm)
    amount = ui.wait_step(Step.AMOUNT)
    assert amount.ids.fee.value == ui.tr("Free of charge")      # a payee at this bank
    ui.type_digits(amount.ids.keypad, "60000")                 # more than the ¥52,340 there
    assert amount.ids.amount.text == "¥ 60,000"
    ui.tap(amount.ids.submit)
    ui.wait(lambda: ui.session.state.view.get("problem") == "amount_over_balance",
            "amount refused")                                  # no fee here: none is named
    ui.pump(2)
    assert ui.tr("amount_over_balance") in ui.visible_texts()
    for _ in "60000":
        ui.tap(ui.tr("Delete"))
    ui.type_digits(amount.ids.keypad, "200")
    ui.tap(amount.ids.submit)
    warning = ui.wait_step(Step.FRAUD_WARNING)
    assert warning.ids.acknowledge.disabled                    # time to read it first
    ui.advance(warning.state.view["min_read_s"] + 0.5)
    ui.wait(lambda: not warning.ids.acknowledge.disabled, "acknowledge enabled")
    ui.tap(warning.ids.acknowledge)
    confirm = ui.wait_step(Step.TRANSFER_CONFIRM)
    assert "¥200.00" in ui.visible_texts()
    ui.tap(confirm.ids.confirm)
    result = ui.wait_step(Step.TRANSFER_RESULT, timeout=20)
    assert result.state.view["outcome"] == "approved" and result.state.view["reference"]
    assert ui.tr("Transfer made") in ui.visible_texts()
    assert ui.core.host.accounts(PAN)[0].balance_fen == 5_234_000 - 20_000
