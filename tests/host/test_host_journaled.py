"""Every host exchange, success or failure, reaches the journal (numbers masked)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.host.factory import open_host
from kiosk.host.journaled import JournaledHost
from kiosk.host.link import HostDeclined, HostTimeout
from kiosk.host.models import TransferKind, TransferOutcome
from kiosk.pin_block import encrypt_pin_block
from kiosk.transfers import TransferService

from tests.harness import pin

from .conftest import DEBIT_PAN, PAYEE_INTRA
from .test_host_transfers import send


def test_exchanges_are_journaled_with_outcome_and_masked_numbers(config, journal):
    host = open_host(config, journal)
    try:
        assert isinstance(host, JournaledHost)
        host.identify_card(DEBIT_PAN)
        host.verify_pin(DEBIT_PAN, encrypt_pin_block(pin("123456"), DEBIT_PAN,
                                                     config.host.terminal_key_hex))
        with pytest.raises(HostDeclined):
            host.verify_payee("6217000000000000020", "张测试")
        rows = list(journal.entries(kind_prefix="host."))
        assert [r.kind for r in rows] == ["host.identify_card", "host.verify_pin",
                                          "host.verify_payee"]
        assert rows[0].fields["pan"] == "622202*********0018"
        assert rows[1].fields["pin_ok"] is True and "pin_block" not in rows[1].fields
        assert rows[2].fields["outcome"] == "failed"
        assert rows[2].fields["reason"] == "payee_unknown"
        assert DEBIT_PAN not in str([r.fields for r in rows])
    finally:
        host.close()


def test_timeout_reaches_customer_and_journal(config, bank, iso_server, journal, debit):
    iso = replace(config, host=replace(config.host, backend="iso8583", plaintext_demo=True,
                                       timeout_s=0.3,
                                       address="%s:%d" % iso_server.address))
    host = open_host(iso, journal)
    service = TransferService.from_config(iso, host, journal)
    service.card = debit
    try:
        iso_server.inject("silence", "0100")
        iso_server.inject("silence", "0100")   # the client's one retry of an inquiry
        with pytest.raises(HostTimeout) as err:
            host.accounts(DEBIT_PAN)
        assert err.value.reason == "host_timeout"
        assert next(journal.entries(kind="host.accounts")).fields["reason"] == "host_timeout"
        service.recover()
        iso_server.inject("silence", "0200")
        result = send(service, 1_000, PAYEE_INTRA, TransferKind.INTRABANK)
        assert result.outcome is TransferOutcome.DECLINED and result.reason == "host_timeout"
        host_rows = [r.kind for r in journal.entries(kind_prefix="host.")]
        assert host_rows[-2:] == ["host.transfer", "host.reverse"]
        assert next(journal.entries(kind="host.transfer")).fields["outcome"] == "failed"
    finally:
        service.close()
        host.close()
