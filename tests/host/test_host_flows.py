"""The HostLink contract, run against the in-process sandbox and over ISO 8583 alike."""
from __future__ import annotations

import datetime as dt

import pytest

from kiosk.host.link import REASONS, HostDeclined
from kiosk.host.models import (ReversalAdvice, TransferInstruction, TransferKind, TransferOutcome,
                               TransferRequest)
from kiosk.pin_block import encrypt_pin_block

from tests.harness import pin

from .conftest import DEBIT_ID, DEBIT_PAN, OWN_SAVINGS, PAYEE_INTER, PAYEE_INTRA, paying

TODAY = dt.date.today()


def _balance(host, pan, account_id):
    return {a.account_id: a.balance_fen for a in host.accounts(pan)}[account_id]


def _transfer(host, config, ids, stan, to, amount, kind, account="A0001"):
    account_id, auth_ref = paying(host, config, ids, account)
    return host.transfer(TransferRequest(config.host.terminal_id, stan, TransferInstruction(
        account_id, to[0], to[1], amount, kind, auth_ref=auth_ref)))


def test_identify_card_names_the_customer_with_a_masked_number(host):
    card = host.identify_card(DEBIT_PAN)
    assert card.customer.name == "测试甲" and card.customer.vip
    assert card.pan_masked == "622202*********0018"
    assert host.identify_card("6222020000000000059").card_status == "expired"
    with pytest.raises(HostDeclined) as err:
        host.identify_card("6222020000000000000")
    assert err.value.reason == "card_unknown"


def test_pin_checked_from_sm4_block_and_locked_after_max_tries(host, config):
    key = config.host.terminal_key_hex
    assert host.verify_pin(DEBIT_PAN, encrypt_pin_block(pin("123456"), DEBIT_PAN, key)).ok
    results = [host.verify_pin(DEBIT_PAN, encrypt_pin_block(pin("654321"), DEBIT_PAN, key))
               for _ in range(config.host.pin_max_tries)]
    assert [r.tries_left for r in results] == list(range(config.host.pin_max_tries - 1, -1, -1))
    assert results[-1].locked
    # Locked: even the right PIN is refused now.
    assert not host.verify_pin(DEBIT_PAN, encrypt_pin_block(pin("123456"), DEBIT_PAN, key)).ok
    locked_card = "6222020000000000075"
    assert host.verify_pin(locked_card, encrypt_pin_block(pin("123456"), locked_card, key)).locked
    expired = "6222020000000000059"
    with pytest.raises(HostDeclined) as err:
        host.verify_pin(expired, encrypt_pin_block(pin("123456"), expired, key))
    assert err.value.reason == "card_expired"


def test_accounts_transactions_and_statement_agree(host, ids):
    accounts = host.accounts(DEBIT_PAN)
    assert {a.account_id: a.balance_fen for a in accounts} == {ids["A0001"]: 5_234_000,
                                                                ids["A0002"]: 2_000_000}
    start = TODAY - dt.timedelta(days=90)
    first = host.transactions(ids["A0001"], start, TODAY, page=1, page_size=4)
    second = host.transactions(ids["A0001"], start, TODAY, page=2, page_size=4)
    assert first.total == 6 and len(first.items) == 4 and len(second.items) == 2
    assert first.items[0].balance_fen == 5_234_000  # newest first, running balance
    statement = host.statement(ids["A0001"], TODAY - dt.timedelta(days=35), TODAY)
    assert statement.opening_fen + sum(t.amount_fen for t in statement.lines) == \
        statement.closing_fen == 5_234_000
    assert [t.description for t in statement.lines] == ["电费", "信用卡还款", "工资", "水费"]


def test_payee_check_masks_the_name(host):
    check = host.verify_payee(*PAYEE_INTER)
    assert check.matches and check.bank_name == "中国建设银行" and check.name_masked == "张*试"
    assert not check.same_bank and host.verify_payee(*PAYEE_INTRA).same_bank
    assert not host.verify_payee(PAYEE_INTER[0], "李测试").matches
    with pytest.raises(HostDeclined) as err:
        host.verify_payee("6217000000000000020", "张测试")
    assert err.value.reason == "payee_unknown"


def test_fee_schedule_prices_every_amount_as_the_host_quotes_it(host):
    inter, intra = host.fee_schedule(PAYEE_INTER[0]), host.fee_schedule(PAYEE_INTRA[0])
    assert (inter.rate_bp, inter.min_fen, inter.max_fen) == (5, 200, 2_500) and not inter.free
    assert intra.free and intra.fee(1_000_000) == 0
    for amount in (1, 100_000, 400_000, 1_234_567, 5_000_000, 50_000_000):
        assert inter.fee(amount) == host.fee(amount, PAYEE_INTER[0])
    assert [inter.fee(a) for a in (100_000, 1_000_000, 10_000_000)] == [200, 500, 2_500]


def test_transfer_moves_money_once_per_stan_with_interbank_fee(host, bank, config, ids):
    fee = host.fee(100_000, PAYEE_INTER[0])
    assert fee == 200 and host.fee(100_000, PAYEE_INTRA[0]) == 0
    first = _transfer(host, config, ids, 11, PAYEE_INTER, 100_000, TransferKind.INTERBANK)
    again = _transfer(host, config, ids, 11, PAYEE_INTER, 100_000, TransferKind.INTERBANK)
    assert first.outcome is TransferOutcome.APPROVED and first.fee_fen == 200
    assert again == first  # the same STAN is answered, not posted twice
    assert _balance(host, DEBIT_PAN, ids["A0001"]) == 5_234_000 - 100_200
    own = _transfer(host, config, ids, 12, OWN_SAVINGS, 50_000, TransferKind.OWN)
    assert own.outcome is TransferOutcome.APPROVED and own.fee_fen == 0
    assert _balance(host, DEBIT_PAN, ids["A0002"]) == 2_050_000
    assert host.limits(DEBIT_PAN).used_today_fen == 150_000
    assert bank.ledger_problems() == []


@pytest.mark.parametrize("to, amount, account, reason", [
    (PAYEE_INTRA, 6_000_000, "A0001", "insufficient_funds"),
    (("6222020000000000034", "测试乙"), 100, "A0001", "payee_name_mismatch"),
    (PAYEE_INTRA, 10_000_001, "A0001", "limit_exceeded"),
    (PAYEE_INTRA, 0, "A0001", "invalid_amount"),
    (PAYEE_INTRA, 100, "A0003", "not_permitted"),     # from a credit card account
    (PAYEE_INTRA, 100, "A0007", "not_permitted"),     # expired card: no PIN, no transfer
])
def test_declines_carry_a_reason_the_ui_knows(host, bank, config, ids, to, amount, account,
                                              reason):
    result = _transfer(host, config, ids, 21, to, amount, TransferKind.INTRABANK, account)
    assert result.outcome is TransferOutcome.DECLINED
    assert result.reason == reason and reason in REASONS
    assert bank.ledger_problems() == []


def test_reversal_undoes_and_blocks_a_late_original(host, bank, config, ids):
    _transfer(host, config, ids, 31, PAYEE_INTRA, 20_000, TransferKind.INTRABANK)
    moved = host.reverse(ReversalAdvice(config.host.terminal_id, 31, 20_000, ids["A0001"], "0101000000"))
    again = host.reverse(ReversalAdvice(config.host.terminal_id, 31, 20_000, ids["A0001"],
                                        "0101000000"), repeat=True)
    assert moved and not again
    assert _balance(host, DEBIT_PAN, ids["A0001"]) == 5_234_000
    # A reversal that overtakes its original: the original is refused when it arrives.
    assert not host.reverse(ReversalAdvice(config.host.terminal_id, 32, 500, ids["A0001"], "0101000000"))
    late = _transfer(host, config, ids, 32, PAYEE_INTRA, 500, TransferKind.INTRABANK)
    assert late.outcome is TransferOutcome.DECLINED and late.reason == "transfer_reversed"
    totals = host.settlement(config.host.terminal_id, TODAY)
    assert totals.reversed_stans == (31, 32) and totals.approved_stans == ()
    assert bank.ledger_problems() == []


def test_temporary_loss_report_needs_the_holders_id(host, config, ids):
    with pytest.raises(HostDeclined) as err:
        host.report_lost(DEBIT_PAN, "440301197809231070")
    assert err.value.reason == "id_mismatch"
    account_id, auth_ref = paying(host, config, ids, "A0001")   # PIN verified before the report
    report = host.report_lost(DEBIT_PAN, DEBIT_ID)
    assert report.temporary and report.expires_on == TODAY + dt.timedelta(days=5)
    assert host.report_lost(DEBIT_PAN, DEBIT_ID).reference == report.reference
    assert host.identify_card(DEBIT_PAN).card_status == "lost"
    result = host.transfer(TransferRequest(config.host.terminal_id, 41, TransferInstruction(
        account_id, *PAYEE_INTRA, 100, TransferKind.INTRABANK, auth_ref=auth_ref)))
    assert result.reason == "card_lost"


def test_settlement_totals_per_kind(host, config, ids):
    _transfer(host, config, ids, 51, PAYEE_INTER, 100_000, TransferKind.INTERBANK)
    _transfer(host, config, ids, 52, PAYEE_INTER, 30_000, TransferKind.INTERBANK)
    _transfer(host, config, ids, 53, PAYEE_INTRA, 7_000, TransferKind.INTRABANK)
    totals = host.settlement(config.host.terminal_id, TODAY)
    assert totals.by_kind["interbank"].count == 2
    assert totals.by_kind["interbank"].amount_fen == 130_000
    assert totals.by_kind["interbank"].fee_fen == 400
    assert totals.by_kind["intrabank"].amount_fen == 7_000
    assert totals.approved_stans == (51, 52, 53)
