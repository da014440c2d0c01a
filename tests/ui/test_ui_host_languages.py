"""Bank names and transaction descriptions in the customer's language, over both host links: the
English screens show no Chinese ones and the Chinese screens no English ones, a language switch
mid-session changes them on the screen in front of the customer, and the receipt is printed in
the language the customer has when printing."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.host.iso8583_server import Iso8583Server
from kiosk.host.models import TransferInstruction, TransferKind, TransferRequest
from kiosk.host.sandbox import SandboxBank
from kiosk.session.states import Step
from screens.tour.layout import layout_problems
from tests.harness import pin_verified

from .conftest import UiKiosk

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]

PAN = "6222020000000000018"               # 测试甲's debit card
PAYEE = ("6217000000000000012", "张测试")  # at 中国建设银行
TEXTS = {                                  # what the bank gives, Chinese and English
    "bank": ("中国建设银行", "China Construction Bank"),
    "transfer": ("转账", "Transfer"),
    "fee": ("手续费", "Transfer fee"),
    "salary": ("工资", "Salary"),
}
LANGUAGES = ("zh_CN", "en")


@pytest.fixture(params=["sandbox", "iso8583"])
def link_ui(request, ui_app, tmp_path, pcscd):
    """A kiosk on the sandbox bank in-process, or on the same bank behind ISO 8583 (TCP)."""
    host, server, bank = "", None, None
    if request.param == "iso8583":
        bank = SandboxBank(tmp_path / "bank" / "sandbox.db",
                           terminal_key_hex=load_config().host.terminal_key_hex)
        bank.seed()
        server = Iso8583Server(bank).start()
        host = 'backend = "iso8583"\naddress = "%s:%d"\nplaintext_demo = true' % server.address
    folder = tmp_path / "kiosk"
    folder.mkdir()
    kiosk = UiKiosk(ui_app, Path(folder), chipcard=True, host=host)
    kiosk.link, kiosk.server = request.param, server
    try:
        yield kiosk
    finally:
        kiosk.emulator("chipcard").perform("remove_card")
        kiosk.stop()
        if server is not None:
            server.stop()
            bank.close()


def other_language(ui) -> list[str]:
    return [p for p in layout_problems(ui.app)
            if "Chinese text in the English screen" in p or "Latin words in the Chinese" in p]


def switch_to(ui, language: str) -> None:
    """The header's language button, as a customer touches it."""
    if ui.app.language != language:
        ui.tap(ui.app.root.ids.header.ids.language)
    ui.wait(lambda: ui.app.language == language and ui.session.state.language == language
            and ui.app.current_state.seq == ui.session.state.seq, f"{language} shown")
    ui.pump(3)


def shows_in_each_language(ui, *names: str) -> None:
    """The bank's texts `names` on this screen, in Chinese then in English, never the other
    language's; the screen stays the same step."""
    step = ui.session.state.step
    for language in LANGUAGES:
        switch_to(ui, language)
        texts = " ".join(ui.visible_texts())
        index = LANGUAGES.index(language)
        for name in names:
            assert TEXTS[name][index] in texts, (language, name, texts)
            assert TEXTS[name][1 - index] not in texts, (language, name, texts)
        assert other_language(ui) == [], language
        assert ui.session.state.step == step


def paid_before(ui) -> None:
    """An earlier visit of the same customer paid 张测试 (so the bank lists a saved payee and
    the history has a transfer and its fee)."""
    host = ui.core.host
    auth_ref = pin_verified(host, PAN, ui.config.host.terminal_key_hex)
    account_id = host.accounts(PAN)[0].account_id
    paid = TransferInstruction(account_id, *PAYEE, 10_000, TransferKind.INTERBANK,
                               auth_ref=auth_ref)
    result = host.transfer(TransferRequest(ui.config.host.terminal_id, 990_001, paid))
    assert result.outcome.value == "approved"


def test_bank_texts_follow_the_customers_language_on_every_screen_and_the_receipt(link_ui):
    from screens.widgets import pinyin_input
    pinyin_input.table()
    ui = link_ui
    paid_before(ui)
    ui.sign_in_for("service_balance")
    ui.wait_step(Step.ACCOUNTS)
    ui.tap_msg("Transactions")
    ui.wait_step(Step.TRANSACTIONS)
    shows_in_each_language(ui, "transfer", "fee", "salary")
    ui.tap_msg("Back")
    ui.wait_step(Step.ACCOUNTS)
    ui.session.send("choose", option="statement")
    ui.wait_step(Step.STATEMENT_PERIOD)
    ui.tap_msg("period_last_3_months")
    ui.wait_step(Step.STATEMENT_PREVIEW)
    assert ui.session.state.view["lines"]
    shows_in_each_language(ui, "salary")
    ui.tap_msg("Back")
    ui.wait_step(Step.STATEMENT_PERIOD)
    ui.tap_msg("Back")
    ui.wait_step(Step.ACCOUNTS)
    ui.session.send("choose", option="transfer")
    ui.wait_step(Step.PAYEE)                                  # the saved payee and its bank
    shows_in_each_language(ui, "bank")
    ui.session.send("choose", index=0)
    check = ui.wait_step(Step.PAYEE_CHECK)
    shows_in_each_language(ui, "bank")
    ui.tap(check.ids.confirm)
    amount = ui.wait_step(Step.AMOUNT)
    ui.type_digits(amount.ids.keypad, "100")
    ui.tap(amount.ids.submit)
    warning = ui.wait_step(Step.FRAUD_WARNING)
    shows_in_each_language(ui, "bank")
    ui.advance(warning.state.view["min_read_s"] + 0.5)
    ui.wait(lambda: not warning.ids.acknowledge.disabled, "acknowledge enabled")
    ui.tap(warning.ids.acknowledge)
    confirm = ui.wait_step(Step.TRANSFER_CONFIRM)
    shows_in_each_language(ui, "bank")
    ui.tap(confirm.ids.confirm)
    result = ui.wait_step(Step.TRANSFER_RESULT, timeout=20)
    assert result.state.view["outcome"] == "approved"
    shows_in_each_language(ui, "bank")
    # the receipt in the language the customer has now (each link prints in the other one)
    language = "en" if ui.link == "sandbox" else "zh_CN"
    switch_to(ui, language)
    ui.tap(result.ids.receipt)
    ui.wait_step(Step.TAKE_ITEMS, timeout=20)
    printer = ui.emulator("printer")
    assert printer.wait_rendered(10)
    receipt = printer.receipts()[-1].text
    index = LANGUAGES.index(language)
    assert TEXTS["bank"][index] in receipt and TEXTS["bank"][1 - index] not in receipt
    if ui.server is not None:                           # it was the ISO 8583 link indeed
        assert ui.server.received["0100"] and ui.server.received["0200"]
