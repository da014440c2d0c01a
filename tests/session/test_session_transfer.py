"""Transfer journeys through the whole core: chip card over pcscd + vpcd, the transfer service
(journal PENDING first, reversal on timeout), the sandbox bank in-process or over ISO 8583."""
from __future__ import annotations

import sqlite3
import time

import pytest

from kiosk.host.sandbox import SandboxBank
from kiosk.host.iso8583_server import Iso8583Server
from kiosk.host.models import TransferInstruction, TransferKind, TransferOutcome, TransferRequest
from kiosk.session.states import Step
from tests.harness import pin_verified, wait_for

pytestmark = pytest.mark.pcscd

PAYEE = "6217000000000000012"       # 张测试 at another bank (sandbox external account)
TERMINAL = "KSK00001"


def to_payee(kiosk, profile: str = "unionpay_debit", amount_fen: int = 10_000) -> None:
    """Sign in, choose transfer, enter and confirm the payee, enter the amount."""
    kiosk.insert_card(profile)
    kiosk.enter_pin("123456")
    kiosk.step(Step.MENU)
    kiosk.send("choose", option="transfer")
    entry = kiosk.step(Step.PAYEE_ENTRY)
    assert entry.view["problem"] == ""
    kiosk.send("submit", account_number=PAYEE[:-1] + "3", name="张测试")   # Luhn fails
    assert kiosk.session.state.view["problem"] == "account_number_invalid"
    kiosk.send("submit", account_number=PAYEE, name="李测试")             # wrong holder
    mismatch = kiosk.recorder.wait(lambda s: s.step == Step.PAYEE_ENTRY
                                   and s.view["problem"] == "payee_name_mismatch")
    assert mismatch.view["account_number"] == PAYEE
    kiosk.send("submit", account_number=PAYEE, name="张测试")
    check = kiosk.step(Step.PAYEE_CHECK)
    assert check.view["name_masked"] == "张*试"
    assert check.view["bank_name"] == "China Construction Bank"   # in English
    kiosk.send("confirm")
    amount = kiosk.step(Step.AMOUNT)
    assert amount.view["per_transaction_fen"] == 10_000_000
    kiosk.send("submit", amount_fen=0)
    assert kiosk.session.state.view["problem"] == "amount_invalid"
    kiosk.send("submit", amount_fen=amount_fen)


def to_held(kiosk) -> None:
    """A large transfer read through its warning and confirmed: held for staff."""
    to_payee(kiosk, amount_fen=5_100_000)
    warning = kiosk.step(Step.FRAUD_WARNING)
    kiosk.clock.advance(warning.view["min_read_s"])
    kiosk.send("acknowledge")
    kiosk.step(Step.TRANSFER_CONFIRM)
    kiosk.send("confirm")
    assert kiosk.step(Step.TRANSFER_RESULT).view["outcome"] == "held"


def through_warning(kiosk) -> None:
    warning = kiosk.step(Step.FRAUD_WARNING)
    assert warning.view["warnings"] == ["fraud_warning", "fraud_warning_stranger"]
    kiosk.send("acknowledge")                      # too soon: the warning must be read
    assert kiosk.session.state.view["problem"] == "fraud_read_first"
    kiosk.clock.advance(warning.view["min_read_s"])
    kiosk.send("acknowledge")


def test_amount_is_priced_by_the_payees_fee_schedule_and_the_fee_must_fit(card_kiosk):
    kiosk = card_kiosk
    to_payee(kiosk, amount_fen=5_234_000)         # all there is: the ¥25 fee does not fit
    refused = kiosk.recorder.wait(lambda s: s.step == Step.AMOUNT
                                  and s.view["problem"] == "amount_over_available")
    assert refused.view["fee_schedule"] == {"rate_bp": 5, "min_fen": 200, "max_fen": 2_500}
    assert refused.view["fee_fen"] == 2_500
    kiosk.send("submit", amount_fen=5_234_000 - 2_500)
    kiosk.step(Step.FRAUD_WARNING)


def test_transfer_approved_with_receipt_and_mobile_banking_tip(card_kiosk):
    kiosk = card_kiosk
    to_payee(kiosk)
    through_warning(kiosk)
    confirm = kiosk.step(Step.TRANSFER_CONFIRM)
    assert (confirm.view["amount_fen"], confirm.view["fee_fen"], confirm.view["total_fen"]) == \
        (10_000, 200, 10_200)
    assert confirm.view["to_masked"] == "621700*********0012"
    kiosk.send("confirm")
    result = kiosk.step(Step.TRANSFER_RESULT)
    assert result.view["outcome"] == "approved" and result.message_id == "transfer_approved"
    assert result.suggestion == {"id": "mobile_banking", "message_id": "suggest_mobile_banking"}
    assert (result.view["to_name_masked"], result.view["bank_name"]) == \
        ("张*试", "China Construction Bank")
    assert result.view["fee_fen"] == confirm.view["fee_fen"] == 200
    assert kiosk.core.host.accounts("6222020000000000018")[0].balance_fen == 5_234_000 - 10_200
    kiosk.send("receipt")
    kiosk.step(Step.TAKE_ITEMS)
    printer = kiosk.emulator("printer")
    assert printer.wait_rendered(10)
    receipt = printer.receipts()[-1]
    assert result.view["reference"] in receipt.qr and PAYEE not in receipt.text
    assert "China Construction Bank" in receipt.text    # the payee's bank, in English
    assert "52,238.00" in receipt.text                  # balance after: 52,340 - 100 - 2 fee
    assert [e.fields["outcome"] for e in kiosk.journal("transfer.approved")] == ["approved"]


def test_insufficient_funds_offers_another_amount(card_kiosk):
    kiosk = card_kiosk
    to_payee(kiosk, "t0_chaining", amount_fen=800_000)   # fits the ¥8,800 with its fee...
    through_warning(kiosk)
    kiosk.step(Step.TRANSFER_CONFIRM)
    host, pan = kiosk.core.host, "6222020000000000034"
    spent = host.transfer(TransferRequest(TERMINAL, 901, TransferInstruction(
        host.accounts(pan)[0].account_id, "6222020000000000018", "测试甲", 100_000,
        TransferKind.INTRABANK,
        auth_ref=pin_verified(host, pan, kiosk.core.config.host.terminal_key_hex))))
    assert spent.outcome is TransferOutcome.APPROVED  # ...until money is spent elsewhere
    kiosk.send("confirm")
    result = kiosk.step(Step.TRANSFER_RESULT)
    assert result.view["outcome"] == "declined"
    assert result.message_id == "insufficient_funds"
    assert "amount" in result.actions and "receipt" not in result.actions
    kiosk.send("amount")
    again = kiosk.step(Step.AMOUNT)
    assert again.view["amount_fen"] == 800_000 and again.view["problem"] == "insufficient_funds"
    assert host.accounts(pan)[0].balance_fen == 880_000 - 100_000


def test_card_pulled_mid_transfer_completes_and_records_it(card_kiosk):
    kiosk = card_kiosk
    to_payee(kiosk)
    through_warning(kiosk)
    kiosk.step(Step.TRANSFER_CONFIRM)
    data = kiosk.session.data
    # Hold the bank's ledger so the transfer is in flight while the card comes out.
    lock = sqlite3.connect(kiosk.config.path(kiosk.config.host.database), timeout=5,
                           isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        kiosk.send("confirm")
        deadline = time.monotonic() + 5
        while not list(kiosk.core.journal.entries(kind="transfer.pending")):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        kiosk.remove_card()
        kiosk.wait_media("chipcard", "notPresent")
        time.sleep(0.1)
        assert kiosk.session.state.step == Step.WORKING   # the end waits for the transfer
        assert data.pan                                  # not wiped half-way
    finally:
        lock.execute("COMMIT")
        lock.close()
    goodbye = kiosk.step(Step.GOODBYE)
    assert goodbye.message_id == "card_removed"
    assert Step.TRANSFER_RESULT in kiosk.recorder.steps()
    assert data.is_empty() and data.pan == "" and not data.pin_digits
    assert list(kiosk.core.host.inner.request_outcomes(TERMINAL).values()) == ["approved"]
    assert kiosk.journal("transfer.approved")


def test_walking_away_mid_transfer_sends_nothing(card_kiosk):
    kiosk = card_kiosk
    to_payee(kiosk)
    kiosk.step(Step.FRAUD_WARNING)
    ui = kiosk.config.ui
    kiosk.clock.advance(ui.idle_timeout_s)
    kiosk.step(Step.MORE_TIME)
    kiosk.clock.advance(ui.more_time_s)
    take = kiosk.step(Step.TAKE_ITEMS)              # data wiped, card still in the reader
    assert take.view["items"] == ["card"] and kiosk.session.data.is_empty()
    kiosk.clock.advance(ui.idle_timeout_s)
    goodbye = kiosk.step(Step.GOODBYE)
    assert goodbye.message_id == "session_timed_out"
    assert kiosk.core.host.inner.request_outcomes(TERMINAL) == {}
    assert not kiosk.journal("transfer.pending")


@pytest.fixture
def iso_host(tmp_path):
    bank = SandboxBank(tmp_path / "bank" / "sandbox.db",
                       terminal_key_hex="0123456789ABCDEFFEDCBA9876543210")
    bank.seed()
    server = Iso8583Server(bank).start()
    yield server
    server.stop()
    bank.close()


def test_host_timeout_on_a_transfer_is_reversed_never_resent(tmp_path, pcscd, iso_host,
                                                              harness_factory):
    host, port = iso_host.address
    kiosk = harness_factory(chipcard=True, host=f'backend = "iso8583"\naddress = "{host}:{port}"'
                                                  f'\nplaintext_demo = true'
                                                  f'\ntimeout_s = 1.0\nreversal_timeout_s = 1.0')
    to_payee(kiosk)
    through_warning(kiosk)
    kiosk.step(Step.TRANSFER_CONFIRM)
    iso_host.inject("silence", "0200")
    kiosk.send("confirm")
    result = kiosk.step(Step.TRANSFER_RESULT, timeout=15)
    # The host applied it but never answered: the kiosk reversed it and says so.
    assert result.view["outcome"] == "declined" and result.message_id == "host_timeout"
    assert "receipt" not in result.actions
    outcomes = iso_host.bank.request_outcomes(TERMINAL)
    assert list(outcomes.values()) == ["reversed"]           # one STAN, never resent
    assert kiosk.journal("transfer.unknown") and kiosk.journal("transfer.reversed")
    assert iso_host.bank.accounts("6222020000000000018")[0].balance_fen == 5_234_000


def test_large_transfer_is_held_for_staff(card_kiosk):
    kiosk = card_kiosk
    to_payee(kiosk, amount_fen=5_100_000)
    warning = kiosk.step(Step.FRAUD_WARNING)
    assert warning.view["warnings"][-1] == "fraud_warning_large"
    kiosk.clock.advance(warning.view["min_read_s"])
    kiosk.send("acknowledge")
    confirm = kiosk.step(Step.TRANSFER_CONFIRM)
    kiosk.send("confirm")
    result = kiosk.step(Step.TRANSFER_RESULT)
    assert result.view["outcome"] == "held" and result.message_id == "transfer_held"
    assert "receipt" not in result.actions and result.view["reference"] == ""  # nothing done yet
    assert result.view["fee_fen"] == confirm.view["fee_fen"] > 0       # as quoted, not ¥0.00
    assert (result.view["to_name_masked"], result.view["bank_name"]) == \
        ("张*试", "China Construction Bank")
    assert kiosk.core.host.inner.request_outcomes(TERMINAL) == {}          # nothing sent yet
    held = [a for a in kiosk.core.alerts.outbox.active() if a.kind == "heldTransfer"]
    assert len(held) == 1 and held[0].data["amount_fen"] == 5_100_000
    assert "6217000000000000012" not in held[0].message


def test_a_held_transfer_is_not_made_once_its_customer_leaves(card_kiosk):
    """The held screen tells the customer that leaving means the transfer is not made: staff
    can no longer release it afterwards, and their alert closes saying the customer left."""
    from kiosk.console.held import HeldDecisions
    kiosk = card_kiosk
    to_held(kiosk)
    transfers, center = kiosk.core.transfers, kiosk.core.alerts
    alert = next(a for a in center.active() if a.kind == "heldTransfer")
    assert len(transfers.held()) == 1
    kiosk.send("done")                                   # the customer leaves without waiting
    kiosk.step(Step.TAKE_ITEMS)
    assert transfers.held()                              # until the customer has really gone
    kiosk.remove_card()
    assert wait_for(lambda: not transfers.held())
    assert wait_for(lambda: center.get(alert.alert_id) is not None
                    and not center.get(alert.alert_id).open)
    # staff approving now change nothing: no money moves
    decisions = HeldDecisions(center, transfers)
    assert not decisions.decide(alert.alert_id, True, "staff-1", "customer came back")
    assert kiosk.core.host.inner.request_outcomes(TERMINAL) == {}
    rows = kiosk.core.journal.find(("transfer.rejected",), limit=5)
    assert [r["staff"] for r in rows] == ["customer"]


def test_a_customer_waiting_for_staff_is_not_asked_for_more_time_and_not_kept_forever(card_kiosk):
    """The held screen says staff come within minutes: the inactivity timeout does not apply,
    [risk] held_wait_s does; when it runs out the session ends and the transfer is not made."""
    kiosk = card_kiosk
    to_held(kiosk)
    session, transfers = kiosk.session, kiosk.core.transfers
    kiosk.clock.advance(kiosk.config.ui.idle_timeout_s + 30)
    session.tick()
    assert session.state.step == Step.TRANSFER_RESULT               # no "more time?"
    assert transfers.held()
    kiosk.clock.advance(kiosk.config.risk.held_wait_s)
    session.tick()
    assert session.state.step == Step.TAKE_ITEMS                    # the card first
    kiosk.remove_card()
    assert wait_for(lambda: not transfers.held())
