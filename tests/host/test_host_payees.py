"""Saved payees (常用收款人): derived from the customer's approved transfers, the same over the
in-process sandbox and over ISO 8583."""
from __future__ import annotations

import logging

import pytest

from kiosk.host import sandbox_data
from kiosk.host.journaled import JournaledHost
from kiosk.host.link import MAX_PAYEES, HostDeclined
from kiosk.host.models import (ReversalAdvice, TransferInstruction, TransferKind, TransferOutcome,
                               TransferRequest)
from drivers.privacy import mask_name, mask_number

from .conftest import DEBIT_PAN, OWN_SAVINGS, PAYEE_INTER, PAYEE_INTRA, paying

T0_PAN = "6222020000000000034"    # 测试丙, account A0004


def pay(host, config, ids, stan, to, amount=1_000, account="A0001"):
    kind = TransferKind.INTERBANK if to == PAYEE_INTER else TransferKind.INTRABANK
    account_id, auth_ref = paying(host, config, ids, account)
    return host.transfer(TransferRequest(config.host.terminal_id, stan, TransferInstruction(
        account_id, to[0], to[1], amount, kind, auth_ref=auth_ref)))


def listed(host, pan=DEBIT_PAN):
    return [(p.account_number, p.name) for p in host.payees(pan)]


def test_most_recent_first_each_once_from_any_of_the_customers_accounts(host, config, ids):
    assert host.payees(DEBIT_PAN) == []
    for stan, to in enumerate([PAYEE_INTRA, PAYEE_INTER, PAYEE_INTRA], start=1):
        assert pay(host, config, ids, stan, to).outcome is TransferOutcome.APPROVED
    assert listed(host) == [PAYEE_INTRA, PAYEE_INTER]
    # Paid from the savings account (no card): still this customer's payee. The card's own
    # account is never offered as a payee of itself.
    pay(host, config, ids, 4, OWN_SAVINGS, account="A0001")
    pay(host, config, ids, 5, ("6222020000000000018", "测试甲"), account="A0002")
    assert listed(host) == [OWN_SAVINGS, PAYEE_INTRA, PAYEE_INTER]
    first = host.payees(DEBIT_PAN)[1]
    assert (first.bank_name, first.name_masked, first.account_masked) == \
        (sandbox_data.BANK_NAME, "测*丙", "622202*********0034")
    assert host.payees(DEBIT_PAN)[2].bank_name == "中国建设银行"
    # Another customer's list is their own.
    assert listed(host, T0_PAN) == []
    pay(host, config, ids, 6, ("6222020000000000018", "测试甲"), account="A0004")
    assert listed(host, T0_PAN) == [("6222020000000000018", "测试甲")]


def test_declined_and_reversed_transfers_leave_no_payee(host, config, ids):
    declined = pay(host, config, ids, 1, PAYEE_INTER, amount=9_000_000)   # more than the balance
    assert declined.outcome is TransferOutcome.DECLINED
    assert host.payees(DEBIT_PAN) == []
    pay(host, config, ids, 2, PAYEE_INTRA)
    pay(host, config, ids, 3, PAYEE_INTER)
    assert host.reverse(ReversalAdvice(config.host.terminal_id, 3, 1_000, ids["A0001"],
                                       "0101120000"))
    assert listed(host) == [PAYEE_INTRA]


def test_at_most_ten_the_oldest_drop_off(host, config, ids):
    others = [(acc.number, cust.name, TransferKind.INTRABANK)
              for cust in sandbox_data.CUSTOMERS for acc in cust.accounts
              if acc.account_id != "A0001"]
    others += [(number, name, TransferKind.INTERBANK)
               for number, name, _ in sandbox_data.EXTERNAL_ACCOUNTS]
    assert len(others) > MAX_PAYEES
    account_id, auth_ref = paying(host, config, ids, "A0001")
    for stan, (number, name, kind) in enumerate(others, start=1):
        result = host.transfer(TransferRequest(config.host.terminal_id, stan, TransferInstruction(
            account_id, number, name, 100, kind, auth_ref=auth_ref)))
        assert result.outcome is TransferOutcome.APPROVED, result
    others = [(number, name) for number, name, _ in others]
    assert listed(host) == list(reversed(others))[:MAX_PAYEES]


def test_unknown_card_is_declined(host):
    with pytest.raises(HostDeclined) as err:
        host.payees("6222020000000000000")
    assert err.value.reason == "card_unknown"


def test_payees_journaled_and_logged_masked(host, config, journal, caplog, ids):
    caplog.set_level(logging.DEBUG)
    pay(host, config, ids, 1, PAYEE_INTER)
    pay(host, config, ids, 2, PAYEE_INTRA)
    journaled = JournaledHost(host, journal)
    payees = journaled.payees(DEBIT_PAN)
    shown = repr(payees) + str(payees)
    assert mask_number(PAYEE_INTRA[0]) in shown and mask_name(PAYEE_INTRA[1]) in shown
    row = next(journal.entries(kind="host.payees"))
    assert row.fields["outcome"] == "ok" and row.fields["payees"] == 2
    assert row.fields["payees_masked"] == ["622202*********0034", "621700*********0012"]
    assert row.fields["pan"] == "622202*********0018"
    with pytest.raises(HostDeclined):
        journaled.payees("6222020000000000000")
    assert [r.fields["outcome"] for r in journal.entries(kind="host.payees")] == ["ok", "failed"]
    for secret in (DEBIT_PAN, PAYEE_INTRA[0], PAYEE_INTER[0], PAYEE_INTRA[1], PAYEE_INTER[1]):
        assert secret not in shown
        assert secret not in caplog.text
        assert all(secret not in str(r.fields) for r in journal.entries())
