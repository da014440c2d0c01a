"""The transfer's warning and result screens as a customer meets them: the payee and the
amount on every one, the anti-fraud hotline, stopping as the first choice, and a held transfer
that says what happens next and offers nothing it cannot do."""
from __future__ import annotations

import pytest

from kiosk.session.states import Step

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]

PAYEE = "6217000000000000012"          # 张测试 at 中国建设银行 (the sandbox's other banks)


def to_warning(ui, amount: str):
    amount_screen = ui.to_amount(PAYEE, [("zhang", "张"), ("ce", "测"), ("shi", "试")])
    ui.type_digits(amount_screen.ids.keypad, amount)
    ui.tap(amount_screen.ids.submit)
    return ui.wait_step(Step.FRAUD_WARNING)


def test_the_warning_names_amount_payee_and_hotline_and_stopping_comes_first(card_ui):
    ui = card_ui
    warning = to_warning(ui, "50000")                 # exactly the large-transfer threshold
    texts = " ".join(ui.visible_texts())
    assert "¥50,000.00" in texts and "张*试" in texts and "中国建设银行" in texts
    assert "96110" in texts
    assert ui.tr("fraud_warning_large") in texts
    assert warning.ids.stop.style == "primary" and warning.ids.acknowledge.style == "secondary"
    ui.tap(warning.ids.stop)
    ui.wait_step(Step.AMOUNT)


def test_a_held_transfer_says_what_happens_and_offers_no_receipt(card_ui):
    ui = card_ui
    warning = to_warning(ui, "51000")                 # above the threshold: staff confirm
    ui.advance(warning.state.view["min_read_s"] + 0.5)
    ui.wait(lambda: not warning.ids.acknowledge.disabled, "acknowledge enabled")
    ui.tap(warning.ids.acknowledge)
    confirm = ui.wait_step(Step.TRANSFER_CONFIRM)
    fee = confirm.state.view["fee_fen"]
    assert "中国建设银行" in ui.visible_texts()
    ui.tap(confirm.ids.confirm)
    result = ui.wait_step(Step.TRANSFER_RESULT, timeout=20)
    texts = ui.visible_texts()
    assert result.state.view["outcome"] == "held"
    assert ui.tr("transfer_held") in texts
    assert "张*试  621700 **** 0012" in texts and "中国建设银行" in texts
    assert "—" not in texts and ui.tr("Print receipt") not in texts
    assert f"¥{fee / 100:,.2f}" in texts                       # the fee quoted, not ¥0.00
