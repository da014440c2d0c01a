"""The transfer's warning and result screens as a customer meets them: the payee and the
amount on every one, the anti-fraud hotline, stopping as the first choice, and a held transfer
that says what happens next and offers nothing it cannot do."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.host.models import TransferInstruction, TransferKind, TransferOutcome, TransferRequest
from kiosk.session.states import Step
from tests.harness import pin_verified

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]

PAYEE = "6217000000000000012"          # 张测试 at 中国建设银行 (the sandbox's other banks)
CARD = "6222020000000000018"           # the unionpay_debit card the harness signs in with


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


def to_confirm(ui, amount: str):
    warning = to_warning(ui, amount)
    ui.advance(warning.state.view["min_read_s"] + 0.5)
    ui.wait(lambda: not warning.ids.acknowledge.disabled, "acknowledge enabled")
    ui.tap(warning.ids.acknowledge)
    return ui.wait_step(Step.TRANSFER_CONFIRM)


def label(ui, text: str):
    """The one visible widget showing exactly `text`."""
    hits = [w for w in ui.widgets() if getattr(w, "text", None) == text and ui._shown(w)]
    assert len(hits) == 1, f"{len(hits)} widgets show {text!r}; visible: {ui.visible_texts()}"
    return hits[0]


def box(widget) -> tuple[float, float, float, float]:
    """Left, bottom, right, top in window coordinates."""
    x0, y0 = widget.to_window(widget.x, widget.y)
    x1, y1 = widget.to_window(widget.right, widget.top)
    return x0, y0, x1, y1


def centre(widget) -> tuple[float, float]:
    x0, y0, x1, y1 = box(widget)
    return (x0 + x1) / 2, (y0 + y1) / 2


def test_the_payees_bank_sits_with_the_payee_not_under_the_paying_account(card_ui):
    ui = card_ui
    to_confirm(ui, "100")
    payee, bank = label(ui, ui.tr("Payee")), label(ui, ui.tr("Payee's bank"))
    paying = label(ui, ui.tr("From"))
    assert ui.tr("Payee's bank") == "收款银行"                   # not 开户行, the bank of whom?
    # the payee's bank beside the payee, on the payee's row: below the paying account's row
    (px, py), (bx, by), (fx, fy) = centre(payee), centre(bank), centre(paying)
    assert abs(by - py) < payee.height and bx > px, (centre(payee), centre(bank))
    assert box(bank)[3] < box(paying)[1], "the payee's bank reads as part of the paying block"
    assert abs(bx - fx) > paying.width, "the payee's bank sits right under the paying account"
    # and its value, 中国建设银行, on that same row right of its label
    value = label(ui, "中国建设银行")
    assert abs(centre(value)[1] - by) < bank.parent.height and box(value)[0] >= box(bank)[2] - 1


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
    # what the customer is to do, how long it takes and whether they may leave, as rendered
    said = " ".join(texts)
    assert "请在此稍候" in said and "几分钟" in said and "如您离开，此笔转账不会办理" in said
    assert "中国建设银行" in texts
    # nothing has been made yet: no business number on screen (the host has none to give)
    assert ui.tr("Reference") not in texts and result.state.view["reference"] == ""
    ui.tap(ui.app.root.ids.header.ids.language)
    ui.wait(lambda: ui.app.language == "en", "English")
    ui.pump(2)
    said = " ".join(ui.visible_texts())
    assert "Please wait here" in said and "within a few minutes" in said
    assert "if you leave, the transfer is not made" in said
    assert "China Construction Bank" in said and "Reference" not in said
    assert "Print receipt" not in ui.visible_texts()
    ui.tap(ui.app.root.ids.header.ids.language)
    ui.wait(lambda: ui.app.language == "zh_CN", "Chinese again")


def test_the_made_transfer_shows_payee_bank_and_the_banks_reference(card_ui):
    ui = card_ui
    confirm = to_confirm(ui, "100")
    ui.tap(confirm.ids.confirm)
    result = ui.wait_step(Step.TRANSFER_RESULT, timeout=20)
    assert result.state.view["outcome"] == "approved"
    texts = ui.visible_texts()
    assert ui.tr("transfer_approved") in texts
    assert "张*试  621700 **** 0012" in texts and "张测试" not in " ".join(texts)
    assert label(ui, "中国建设银行") and label(ui, ui.tr("Payee's bank"))
    reference = result.state.view["reference"]
    assert label(ui, ui.tr("Reference")) and label(ui, reference)
    with sqlite3.connect(ui.config.path(ui.config.host.database)) as bank:
        made = bank.execute("SELECT outcome FROM requests WHERE reference = ?",
                            (reference,)).fetchall()
    assert made == [("approved",)], f"{reference!r} is not the bank's reference"


def test_a_declined_transfer_names_the_payee_and_the_reason(card_ui):
    ui = card_ui
    confirm = to_confirm(ui, "100")
    host = ui.core.host
    left = host.accounts(CARD)[0].balance_fen
    spent = host.transfer(TransferRequest(ui.config.host.terminal_id, 901, TransferInstruction(
        host.accounts(CARD)[0].account_id, "6222020000000000034", "测试丙", left - 5_000,
        TransferKind.INTRABANK,
        auth_ref=pin_verified(host, CARD, ui.config.host.terminal_key_hex))))
    assert spent.outcome is TransferOutcome.APPROVED      # the money went elsewhere meanwhile
    ui.tap(confirm.ids.confirm)
    result = ui.wait_step(Step.TRANSFER_RESULT, timeout=20)
    assert result.state.view["outcome"] == "declined"
    texts = ui.visible_texts()
    assert ui.tr("Transfer not made") in texts
    assert ui.tr("insufficient_funds") == "账户余额不足。" and "账户余额不足。" in texts
    assert "张*试  621700 **** 0012" in texts and "中国建设银行" in texts
    assert ui.tr("Payee's bank") in texts and ui.tr("Reference") not in texts
    assert ui.tr("Print receipt") not in texts and ui.tr("Change the amount") in texts
