"""Saved payees in the transfer journey: a customer who paid someone before finds them first on
the payee list and pays them again without typing; the new payee path stays."""
from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.host.iso8583_server import Iso8583Server
from kiosk.host.iso8583_wire import load_dialect
from kiosk.host.models import TransferInstruction, TransferKind, TransferOutcome
from kiosk.host.sandbox import SandboxBank
from kiosk.session.states import Step
from kiosk.transfers import TransferOrder
from tests.harness import pin_verified

pytestmark = pytest.mark.pcscd

PAN = "6222020000000000018"                      # 测试甲, account A0001
EARLIER = ("6217000000000000012", "张测试", TransferKind.INTERBANK)
LATEST = ("6222020000000000034", "测试丙", TransferKind.INTRABANK)   # account A0004


def paid_before(kiosk, *payees) -> None:
    """Earlier transfers from this card through the kiosk's transfer service (journal + host)."""
    host = kiosk.core.host
    account_id = host.accounts(PAN)[0].account_id
    auth_ref = pin_verified(host, PAN, kiosk.core.config.host.terminal_key_hex)
    for number, name, kind in payees:
        result = kiosk.core.transfers.transfer(
            TransferOrder(PAN, TransferInstruction(
                account_id, number, name, 5_000, kind, auth_ref=auth_ref)),
            fraud_warning_acknowledged=True, new_payee_acknowledged=True)
        assert result.outcome is TransferOutcome.APPROVED


def to_transfer(kiosk) -> None:
    kiosk.insert_card("unionpay_debit")
    kiosk.enter_pin("123456")
    kiosk.step(Step.MENU)
    kiosk.send("choose", option="transfer")


def test_saved_payee_first_and_paid_without_typing(card_kiosk):
    kiosk = card_kiosk
    paid_before(kiosk, EARLIER, LATEST)
    before = kiosk.core.host.accounts(PAN)[0].balance_fen
    to_transfer(kiosk)
    listed = kiosk.step(Step.PAYEE)
    assert [(p["name_masked"], p["account_masked"], p["bank_name"])
            for p in listed.view["payees"]] == [
        ("测*丙", "622202*********0034", "Sample Bank"),
        ("张*试", "621700*********0012", "China Construction Bank")]      # in English
    assert {"choose", "new", "page"} <= set(listed.actions)
    kiosk.send("new")                                      # the new payee path is still there
    entry = kiosk.step(Step.PAYEE_ENTRY)
    assert (entry.view["account_number"], entry.view["name"]) == ("", "")
    kiosk.send("back")
    kiosk.step(Step.PAYEE)
    kiosk.send("choose", index=0)
    check = kiosk.step(Step.PAYEE_CHECK)                   # the bank still checks the name
    assert (check.view["name_masked"], check.view["account_masked"]) == \
        ("测*丙", "622202*********0034")
    kiosk.send("back")                                     # back to the list, not to typing
    kiosk.step(Step.PAYEE)
    kiosk.send("choose", index=0)
    kiosk.step(Step.PAYEE_CHECK)
    kiosk.send("confirm")
    kiosk.step(Step.AMOUNT)
    kiosk.send("submit", amount_fen=12_300)
    warning = kiosk.step(Step.FRAUD_WARNING)
    assert warning.view["warnings"] == ["fraud_warning"]  # paid before: no stranger warning
    kiosk.clock.advance(warning.view["min_read_s"])
    kiosk.send("acknowledge")
    confirm = kiosk.step(Step.TRANSFER_CONFIRM)
    assert (confirm.view["to_masked"], confirm.view["to_name_masked"]) == \
        ("622202*********0034", "测*丙")
    kiosk.send("confirm")
    result = kiosk.step(Step.TRANSFER_RESULT)
    assert result.view["outcome"] == "approved"
    assert kiosk.core.host.accounts(PAN)[0].balance_fen == before - 12_300
    assert kiosk.core.host.accounts(LATEST[0])[0].balance_fen == 880_000 + 5_000 + 12_300
    shown = kiosk.recorder.steps()
    assert Step.PAYEE_ENTRY not in shown[shown.index(Step.PAYEE_CHECK):]
    states = str([s.view for s in kiosk.recorder.states])
    assert all(secret not in states for secret in (PAN, EARLIER[0], LATEST[0], "测试丙", "张测试"))
    rows = kiosk.journal("host.payees")
    assert rows[-1].fields["payees_masked"] == ["622202*********0034", "621700*********0012"]


@pytest.fixture
def older_host(tmp_path):
    """A bank host that does not know the payee list inquiry (answers 30, format error)."""
    bank = SandboxBank(tmp_path / "bank" / "sandbox.db",
                       terminal_key_hex="0123456789ABCDEFFEDCBA9876543210")
    bank.seed()
    dialect = load_dialect()
    codes = {**dialect.processing_codes, "payees": "939999"}
    server = Iso8583Server(bank, dialect=replace(dialect, processing_codes=codes)).start()
    yield server
    server.stop()
    bank.close()


def test_host_without_payee_list_still_takes_a_new_payee(pcscd, older_host, harness_factory):
    host, port = older_host.address
    kiosk = harness_factory(chipcard=True,
                            host=f'backend = "iso8583"\naddress = "{host}:{port}"\ntimeout_s = 2.0'
                                 '\nplaintext_demo = true')
    to_transfer(kiosk)
    entry = kiosk.step(Step.PAYEE_ENTRY)
    assert entry.view["problem"] == ""
    assert kiosk.journal("host.payees")[-1].fields["reason"] == "host_malformed"
    kiosk.send("submit", account_number=LATEST[0], name=LATEST[1])
    assert kiosk.step(Step.PAYEE_CHECK).view["name_masked"] == "测*丙"
