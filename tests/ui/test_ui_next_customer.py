"""Nothing of one customer is left for the next: customer A goes through every screen that
takes input or shows customer data, the session ends, customer B arrives, and no text of A is
held anywhere in the app's widgets (every screen, shown or built and hidden, the widgets a
screen keeps out of the window, the list rows kept aside for later)."""
from __future__ import annotations

import re
from typing import Any

import pytest

from kiosk.session.states import State, Step

pytestmark = pytest.mark.ui

# Customer A (测试甲's debit card, or 测试甲's ID card) and what A typed or was shown
A_TEXTS = (
    "6222020000000000018", "**** 0018", "**** 0016", "测试甲", "测*甲",     # A's cards and name
    "52,340.00", "5234000", "20,000.00",                                 # A's balances
    "信用卡还款", "电费", "水费",                                            # A's transactions
    "6217000000000000012", "6217 0000 0000 0000 012", "张测试", "张*试",    # the payee A typed
    "中国建设银行", "qiu", "QIU",                                          # payee's bank, pinyin
    "1234.56", "1,234.56", "123456",                                     # amount A typed
    "110101199003071030", "110101 **** 1030",                            # A's ID card
    "6222020000000100024", "6222 0200 0000 0100 024",                     # lost card number typed
)
PAYEE = "6217000000000000012"          # 张测试 at 中国建设银行 (the sandbox's other banks)


def kept_values(app: Any) -> list[tuple[Any, str, str]]:
    """(widget, attribute, text) for every text-like value any widget of the app holds."""
    from screens.widgets import rows
    roots = [app.root, *app.root.manager.screens]
    for screen in app.root.manager.screens:
        roots.extend(w for w in screen.ids.values())
    roots.extend(row for spare in rows._spare.values() for row in spare)
    seen: set[int] = set()
    found = []
    for root in roots:
        for widget in root.walk(restrict=True):
            if id(widget) in seen:
                continue
            seen.add(id(widget))
            values = {name: getattr(widget, name, None) for name in widget.properties()
                      if name not in ("parent", "children")}
            values.update(getattr(widget, "__dict__", {}))
            for name, value in values.items():
                if isinstance(value, (str, list, tuple, dict, State)):
                    found.append((widget, name, repr(value)))
    return found


def held(ui, text: str) -> bool:
    """Some widget holds `text` now (the search sees what it is to miss later)."""
    return any(text in value for _, _, value in kept_values(ui.app))


def strings_of(value: Any) -> list[str]:
    """Every string in a view value (dicts, lists of rows), for the texts A was shown."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_of(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings_of(v)]
    return []


def assert_nothing_of_a(ui, shown: tuple[str, ...] = (), numbers: tuple[str, ...] = ()) -> None:
    """No widget holds A's fixed texts, the texts A was `shown` (references, saved payees'
    rows, the ticket), or A's short `numbers` (a help call's 4 digits: searched as a whole
    number in texts only, as 4 digits can be part of any size or position)."""
    markers = A_TEXTS + tuple(s for s in shown if len(s) >= 4)
    values = kept_values(ui.app)
    left = [(type(w).__name__, name, marker) for w, name, text in values
            for marker in markers if marker in text]
    left += [(type(w).__name__, name, number) for w, name, text in values
             for number in numbers if name == "text"
             and re.search(rf"(?<!\d){number}(?!\d)", text)]
    assert not left, f"customer A's data is still held: {left[:12]}"
    entry = ui.app.root.screen(Step.PAYEE_ENTRY)
    assert entry.candidates == [] and not entry.ids.candidates.children


def call_for_help(ui) -> str:
    """The header's help button, then back to the screen: the number staff were given."""
    ui.tap(ui.app.root.ids.header.ids.help)
    called = ui.wait_step(Step.HELP_CALLED)
    reference = called.state.view["reference"]
    assert reference and reference in " ".join(ui.visible_texts())
    ui.tap(called.ids.done)
    return reference


def end_and_wait_for_the_next(ui, remove) -> None:
    remove()
    ui.wait(lambda: ui.session.state.step in (Step.GOODBYE, Step.RATING, Step.TAKE_ITEMS),
            "session end")
    if ui.session.state.step == Step.TAKE_ITEMS:               # a printed ticket to take
        ui.tap(ui.app.root.screen(Step.TAKE_ITEMS).ids.done)
        ui.wait(lambda: ui.session.state.step in (Step.GOODBYE, Step.RATING), "items taken")
    if ui.session.state.step == Step.RATING:
        ui.tap(ui.app.root.screen(Step.RATING).ids.scores.children[-1])
    if ui.session.state.step == Step.TAKE_ITEMS:
        ui.tap(ui.app.root.screen(Step.TAKE_ITEMS).ids.done)
    ui.wait_step(Step.GOODBYE)
    ui.advance(6)
    ui.wait_step(Step.ATTRACT)


@pytest.mark.pcscd
def test_the_next_card_customer_sees_nothing_of_the_last(card_ui):
    from screens.widgets import pinyin_input
    pinyin_input.table()
    ui = card_ui
    ui.sign_in_for("service_balance")   # customer A: 测试甲
    ui.wait_step(Step.ACCOUNTS)
    ui.tap_msg("Transactions")
    ui.wait_step(Step.TRANSACTIONS)
    ui.wait(lambda: ui.session.state.view.get("items"), "transactions")
    ui.app.send("back")
    ui.wait_step(Step.ACCOUNTS)
    ui.tap_msg("Statement")
    ui.wait_step(Step.STATEMENT_PERIOD)
    ui.tap_msg("period_last_3_months")
    ui.wait_step(Step.STATEMENT_PREVIEW)
    ui.app.send("back")
    ui.wait(lambda: ui.session.state.step != Step.STATEMENT_PREVIEW, "left the preview")
    ui.app.send("end")
    ui.wait(lambda: ui.session.state.step in (Step.TAKE_ITEMS, Step.RATING), "ended")
    ui.emulator("chipcard").perform("remove_card")
    ui.wait_media("chipcard", "notPresent")
    end_and_wait_for_the_next(ui, lambda: None)

    ui.sign_in_for("service_transfer")   # A again, for a transfer
    entry = ui.wait_step(Step.PAYEE_ENTRY)
    ui.type_digits(entry.ids.keypad, PAYEE)
    ui.tap(entry.ids.name_field)
    ui.type_name(entry, [("zhang", "张"), ("ce", "测"), ("shi", "试")])
    for letter in "QIU":                                          # a syllable left unfinished
        ui.tap(letter)
    ui.wait(lambda: entry.candidates, "candidates for qiu")
    ui.tap(entry.ids.submit)
    check = ui.wait_step(Step.PAYEE_CHECK)
    ui.tap(check.ids.confirm)
    amount = ui.wait_step(Step.AMOUNT)
    ui.type_digits(amount.ids.keypad, "1234.56")
    ui.tap(amount.ids.submit)
    warning = ui.wait_step(Step.FRAUD_WARNING)
    ui.advance(warning.state.view["min_read_s"] + 0.5)
    ui.wait(lambda: not warning.ids.acknowledge.disabled, "acknowledge enabled")
    ui.tap(warning.ids.acknowledge)
    confirm = ui.wait_step(Step.TRANSFER_CONFIRM)
    ui.tap(confirm.ids.confirm)
    result = ui.wait_step(Step.TRANSFER_RESULT, timeout=20)
    shown = [result.state.view["reference"]]
    assert shown[0] and held(ui, shown[0])
    end_and_wait_for_the_next(ui, lambda: ui.emulator("chipcard").perform("remove_card"))

    ui.sign_in_for("service_transfer")   # A once more: the bank lists A's saved payee
    ui.wait_step(Step.PAYEE)
    rows = ui.session.state.view["payees"]
    assert rows
    shown += strings_of(rows)
    assert all(held(ui, text) for text in strings_of(rows) if len(text) >= 4)
    help_number = call_for_help(ui)
    ui.wait_step(Step.PAYEE)
    end_and_wait_for_the_next(ui, lambda: ui.emulator("chipcard").perform("remove_card"))

    ui.sign_in_for("service_transfer", "no_pse")   # customer B: 测试辛
    entry = ui.wait_step(Step.PAYEE_ENTRY)
    assert entry.ids.account_field.value.strip() == "" and entry.ids.submit.disabled
    ui.tap(entry.ids.name_field)
    ui.pump(2)
    assert_nothing_of_a(ui, tuple(shown), (help_number,))


@pytest.fixture
def camera_ui(ui_app, tmp_path):
    from .conftest import UiKiosk
    kiosk = UiKiosk(ui_app, tmp_path, chipcard=False, camera=True)
    yield kiosk
    kiosk.stop()


def test_the_next_id_card_customer_sees_nothing_of_the_last(camera_ui):
    ui = camera_ui
    ui.wait_step(Step.ATTRACT)                                    # customer A: 测试甲's ID card
    ui.begin("service_lost_card")
    ui.emulator("idcard").perform("place_card", "ceshi_jia")
    number = ui.wait_step(Step.LOST_CARD_NUMBER)
    ui.type_digits(number.ids.keypad, "6222020000000100024")
    help_number = call_for_help(ui)
    ui.wait_step(Step.LOST_CARD_NUMBER)
    end_and_wait_for_the_next(ui, lambda: ui.emulator("idcard").perform("remove_card"))

    ui.begin("service_lost_card")                                 # A reports a card lost
    ui.emulator("idcard").perform("place_card", "ceshi_jia")
    number = ui.wait_step(Step.LOST_CARD_NUMBER)
    ui.type_digits(number.ids.keypad, "6222020000000000018")
    ui.tap(number.ids.submit)
    confirm = ui.wait_step(Step.LOST_CARD_CONFIRM)
    shown = strings_of(confirm.state.view)
    ui.tap(confirm.ids.confirm)
    result = ui.wait_step(Step.LOST_CARD_RESULT)
    shown += strings_of(result.state.view)
    assert result.state.view["reference"] in ui.visible_texts()
    assert held(ui, result.state.view["reference"])
    ui.app.send("end")
    end_and_wait_for_the_next(ui, lambda: ui.emulator("idcard").perform("remove_card"))

    ui.tap_msg("Start")                                           # A's queue ticket, signed
    menu = ui.wait_step(Step.MENU)                                # in with A's appointment code
    ui.tap(menu.ids.more)
    ui.wait(lambda: ui.session.state.view.get("page") == 2, "page 2")
    ui.pump(2)
    ui.tap_msg("service_open_account")
    ui.wait_step(Step.IDENTIFY)
    ui.emulator("camera").perform("present_code", "appointment")
    issued = ui.wait_step(Step.TICKET_ISSUED, timeout=15)
    assert issued.state.view["priority"]                          # the appointment was read
    shown += [issued.state.view["number"], issued.state.view["form_qr"], "Q7K2M9"]
    assert issued.ids.number.text == issued.state.view["number"]
    assert held(ui, issued.state.view["number"])
    ui.tap(issued.ids.done)
    end_and_wait_for_the_next(ui, lambda: None)

    ui.begin("service_lost_card")                                 # customer B: 测试丙
    ui.emulator("idcard").perform("place_card", "ceshi_bing")
    number = ui.wait_step(Step.LOST_CARD_NUMBER)
    assert number.number == ""
    assert_nothing_of_a(ui, tuple(shown), (help_number,))
