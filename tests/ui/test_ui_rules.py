"""A screen shows and enables exactly what the session accepts: the rules come from the core
through the state's view (kiosk/session/rules.py), so screen and core cannot disagree. Each
test finds the core's limits by asking the core's own checks, then types on the screen."""
from __future__ import annotations

import pytest

from kiosk.session.rules import account_number_problem, card_number_problem
from kiosk.session.states import Step
from screens.formatting import money

pytestmark = pytest.mark.ui

PAYEE = "6217000000000000012"       # 张测试 at another bank (sandbox external account)


def with_check_digit(prefix: str) -> str:
    """`prefix` and the Luhn check digit that makes it a valid card number."""
    total = 0
    for i, ch in enumerate(reversed(prefix + "0")):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return prefix + str((10 - total % 10) % 10)


def accepted_lengths(problem) -> list[int]:
    return [n for n in range(1, 40) if problem(n) == ""]


def test_lost_card_number_continue_agrees_with_the_core(ui):
    lengths = accepted_lengths(lambda n: card_number_problem(with_check_digit("6" * (n - 1))))
    ui.wait_step(Step.ATTRACT)
    ui.begin("service_lost_card")
    ui.emulator("idcard").perform("place_card", "ceshi_jia")
    screen = ui.wait_step(Step.LOST_CARD_NUMBER)
    for typed in range(1, max(lengths) + 3):
        ui.type_digits(screen.ids.keypad, "6")
        ui.pump()
        shown = len(screen.number)
        assert shown == min(typed, max(lengths))            # no more digits than the core takes
        assert screen.ids.submit.disabled == (shown < min(lengths)), shown


def test_payee_and_amount_screens_agree_with_the_core(card_ui):
    ui = card_ui
    lengths = accepted_lengths(lambda n: account_number_problem("1" * n, ""))
    ui.sign_in()
    ui.wait_step(Step.MENU)
    ui.tap_msg("service_transfer")
    entry = ui.wait_step(Step.PAYEE_ENTRY)
    entry.payee_name = "张测试"
    for typed in range(1, max(lengths) + 3):
        ui.type_digits(entry.ids.keypad, "1")
        ui.pump()
        shown = len(entry.account_number)
        assert shown == min(typed, max(lengths))
        assert entry.ids.submit.disabled == (shown < min(lengths)), shown
    entry.account_number = PAYEE
    ui.tap(entry.ids.submit)
    check = ui.wait_step(Step.PAYEE_CHECK)
    ui.tap(check.ids.confirm)
    amount = ui.wait_step(Step.AMOUNT)
    for typed, fen in (("1", 100), ("10000", 1_000_000), ("80000", 8_000_000)):
        while amount.typed:
            ui.tap(ui.tr("Delete"))
        ui.type_digits(amount.ids.keypad, typed)
        ui.wait(lambda: ui.session.state.view.get("priced_fen") == fen, f"{typed} priced")
        ui.pump(2)
        assert amount.ids.fee.value == money(ui.core.host.fee(fen, PAYEE))   # the host's quote
