"""The bank names banks and describes transactions in Chinese and in English, in-process and over
ISO 8583 alike; a database from before gets the English added; a host that gives one language
is shown in it whatever the customer's language."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from kiosk.host.iso8583_client import Iso8583Client
from kiosk.host.iso8583_server import Iso8583Server
from kiosk.host.models import (Bilingual, TransferInstruction, TransferKind, TransferOutcome,
                               TransferRequest)
from kiosk.host.sandbox import SandboxBank
from kiosk.host.stan import StanCounter

from .conftest import DEBIT_PAN, PAYEE_INTER, paying

TODAY = dt.date.today()
SINCE = TODAY - dt.timedelta(days=90)


def _pay_other_bank(host, config, ids, stan=1, amount=10_000):
    account_id, auth_ref = paying(host, config, ids, "A0001")
    result = host.transfer(TransferRequest(config.host.terminal_id, stan, TransferInstruction(
        account_id, *PAYEE_INTER, amount, TransferKind.INTERBANK, auth_ref=auth_ref)))
    assert result.outcome is TransferOutcome.APPROVED and result.fee_fen == 200
    return result


def test_bank_names_and_descriptions_come_in_both_languages(host, config, ids):
    _pay_other_bank(host, config, ids)
    items = host.transactions(ids["A0001"], SINCE, TODAY, page_size=20).items
    texts = [(t.description, t.description_en, t.counterparty_masked) for t in items]
    # the transfer and its fee, newest first; the fee is a line of its own, not a counterparty
    assert texts[0] == ("手续费", "Transfer fee", "")
    assert texts[1][:2] == ("转账", "Transfer") and texts[1][2].startswith("张*试 621700")
    assert ("工资", "Salary", "") in texts and ("开户存入", "Opening deposit", "") in texts
    statement = host.statement(ids["A0001"], SINCE, TODAY)
    assert [t.descriptions.pick("en") for t in statement.lines][-2:] == ["Transfer",
                                                                          "Transfer fee"]
    assert all(t.description and t.description_en for t in statement.lines)
    check = host.verify_payee(*PAYEE_INTER)
    assert (check.bank_name, check.bank_name_en) == ("中国建设银行", "China Construction Bank")
    payee, = host.payees(DEBIT_PAN)
    assert payee.bank == Bilingual("中国建设银行", "China Construction Bank")


def test_a_reversal_and_its_fee_are_described_in_both_languages(host, config, ids):
    from kiosk.host.models import ReversalAdvice
    _pay_other_bank(host, config, ids, stan=7)
    account_id = ids["A0001"]
    assert host.reverse(ReversalAdvice(config.host.terminal_id, 7, 10_000, account_id,
                                       "1204101010"))
    items = host.transactions(account_id, SINCE, TODAY, page_size=4).items
    assert [(t.description, t.description_en) for t in items[:2]] == [("冲正", "Reversal")] * 2
    assert sorted(t.amount_fen for t in items[:2]) == [200, 10_000]


def test_bilingual_falls_back_to_the_language_given():
    assert Bilingual("工资", "Salary").pick("en") == "Salary"
    assert Bilingual("工资", "Salary").pick("zh_CN") == "工资"
    assert Bilingual("工资").pick("en") == "工资"
    assert Bilingual("", "Salary").pick("zh_CN") == "Salary"


# -- a database seeded before the bank kept both languages -------------------------------------
def _as_before(path) -> None:
    """The tables as the first sandbox banks had them: no English, the fee noted as the
    counterparty of its line."""
    conn = sqlite3.connect(path)
    conn.execute("UPDATE postings SET counterparty = description WHERE description IS NOT NULL")
    for table, column in (("accounts", "bank_name_en"), ("entries", "description_en"),
                          ("postings", "description"), ("postings", "description_en")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.commit()
    conn.close()


def test_a_database_from_before_gets_the_english_texts(bank, config, ids, tmp_path):
    _pay_other_bank(bank, config, ids)
    path = bank.path
    bank.close()
    _as_before(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM postings WHERE counterparty = '手续费'").fetchone() \
        == (1,)
    conn.close()
    again = SandboxBank(path, terminal_key_hex=config.host.terminal_key_hex)
    try:
        items = again.transactions(ids["A0001"], SINCE, TODAY, page_size=20).items
        assert [(t.description, t.description_en, t.counterparty_masked)
                for t in items][0] == ("手续费", "Transfer fee", "")
        assert all(t.description_en for t in items)
        assert again.verify_payee(*PAYEE_INTER).bank_name_en == "China Construction Bank"
        assert again.ledger_problems() == []
        _pay_other_bank(again, config, ids, stan=2)          # and it keeps working
    finally:
        again.close()
    SandboxBank(path, terminal_key_hex=config.host.terminal_key_hex).close()   # opened twice


# -- a host that gives one language ------------------------------------------------------------
class ChineseOnlyServer(Iso8583Server):
    """A host of the older dialect: its answers carry no "_en" keys at all."""

    def _answer(self, request, peer="", certified=None):
        reply = super()._answer(request, peer, certified)
        if "62" in reply:
            reply["62"] = json.dumps(_without_english(json.loads(reply["62"])),
                                     ensure_ascii=False)
        return reply


def _without_english(value):
    if isinstance(value, dict):
        return {k: _without_english(v) for k, v in value.items() if not k.endswith("_en")}
    if isinstance(value, list):
        return [_without_english(v) for v in value]
    return value


@pytest.fixture
def chinese_only_client(bank, config):
    server = ChineseOnlyServer(bank).start()
    client = Iso8583Client("%s:%d" % server.address, terminal_id=config.host.terminal_id,
                           acquirer_id=config.host.acquirer_id,
                           stans=StanCounter(config.path(config.host.state)),
                           timeout_s=config.host.timeout_s)
    yield client
    client.close()
    server.stop()


def test_a_host_that_gives_one_language_is_shown_in_it(chinese_only_client, config, ids):
    host = chinese_only_client
    _pay_other_bank(host, config, ids)
    items = host.transactions(ids["A0001"], SINCE, TODAY, page_size=3).items
    assert [t.description_en for t in items] == ["", "", ""]
    assert [t.descriptions.pick("en") for t in items] == ["手续费", "转账", "水费"]
    check = host.verify_payee(*PAYEE_INTER)
    assert check.bank_name_en == "" and check.bank.pick("en") == "中国建设银行"
    assert host.payees(DEBIT_PAN)[0].bank.pick("en") == "中国建设银行"
    assert host.statement(ids["A0001"], SINCE, TODAY).lines[0].descriptions.pick("en") \
        == "开户存入"
