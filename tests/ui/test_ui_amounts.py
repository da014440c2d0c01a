"""The amount step's refusals name the limit that applies, as money customers read
(¥100,000.00), and speak of a fee only when there is one."""
from __future__ import annotations

import pytest

from kiosk.session.rules import OVER_DAILY_LIMIT, OVER_TRANSACTION_LIMIT, limit_problem
from kiosk.session.states import Step

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]

PAYEE = "6222020000000000034"          # 测试丙's debit card at the same bank: no fee


def to_amount(ui):
    return ui.to_amount(PAYEE, [("ce", "测"), ("shi", "试"), ("bing", "丙")])


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_an_amount_over_the_single_transfer_limit_names_that_limit(card_ui, language):
    ui = card_ui
    if language != ui.app.language:
        ui.session.send("language", language=language)
    amount = to_amount(ui)
    ui.type_digits(amount.ids.keypad, "150000")      # over ¥100,000 for one transfer
    assert amount.ids.amount.text == "¥ 150,000"
    ui.tap(amount.ids.submit)
    ui.wait(lambda: ui.session.state.view.get("problem") == OVER_TRANSACTION_LIMIT, "refused")
    ui.pump(2)
    said = ui.tr(OVER_TRANSACTION_LIMIT, limit="¥100,000.00")
    assert "¥100,000.00" in said and said in ui.visible_texts()
    assert not [t for t in ui.visible_texts() if "{" in t]
    ui.session.send("language", language="zh_CN")


def test_the_lower_of_the_two_limits_is_the_one_named():
    assert limit_problem(5_000, 10_000, 20_000) == ""
    assert limit_problem(15_000, 10_000, 20_000) == OVER_TRANSACTION_LIMIT
    assert limit_problem(15_000, 10_000, 12_000) == OVER_TRANSACTION_LIMIT
    assert limit_problem(9_000, 10_000, 8_000) == OVER_DAILY_LIMIT   # today's rest is lower
    assert limit_problem(15_000, 10_000, 8_000) == OVER_DAILY_LIMIT
