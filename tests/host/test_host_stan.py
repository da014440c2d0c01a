"""STANs are durable and wrap after 999,999; a wrapped STAN on a later day is a new transfer."""
from __future__ import annotations

from dataclasses import replace

import datetime as dt

from kiosk.host.models import TransferInstruction, TransferKind, TransferOutcome
from kiosk.host.sandbox import SandboxBank
from kiosk.host.stan import STAN_MAX, StanCounter
from kiosk.journal import Journal
from kiosk.transfers import TransferOrder, TransferService

from .conftest import DEBIT_PAN, PAYEE_INTRA, verified


def test_stan_survives_restart_and_wraps(tmp_path):
    counter = StanCounter(tmp_path / "state.db")
    assert [counter.next(), counter.next()] == [1, 2]
    counter.close()
    counter = StanCounter(tmp_path / "state.db")
    assert counter.next() == 3
    counter._conn.execute("UPDATE stan SET value = ?", (STAN_MAX - 1,))
    assert [counter.next(), counter.next(), counter.next()] == [STAN_MAX, 1, 2]
    counter.close()


class Clock:
    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def test_wrapped_stan_on_a_later_day_is_a_new_transfer(config, tmp_path):
    clock = Clock(dt.datetime(2026, 3, 2, 10, 0).astimezone())
    bank = SandboxBank.from_config(config, clock=clock)
    bank.seed()
    journal = Journal(tmp_path / "j.db", clock=clock)
    service = TransferService.from_config(config, bank, journal, clock=clock)
    account_id = bank.account_ids()[DEBIT_PAN]
    order = TransferOrder(DEBIT_PAN, TransferInstruction(
        account_id, *PAYEE_INTRA, 1_000, TransferKind.INTRABANK, auth_ref=verified(bank, config)))
    try:
        service.recover()
        first = service.transfer(order, fraud_warning_acknowledged=True,
                                 new_payee_acknowledged=True)
        clock.now += dt.timedelta(days=5)
        order = replace(order, instruction=replace(order.instruction,  # another day, another PIN
                                                   auth_ref=verified(bank, config)))
        service._stans._conn.execute("UPDATE stan SET value = ?", (STAN_MAX,))  # wraps to 1
        again = service.transfer(order, fraud_warning_acknowledged=True)
        assert first.stan == again.stan == 1
        assert again.outcome is TransferOutcome.APPROVED and again.reference != first.reference
        assert service.ref(1) != service.ref(1, dt.date(2026, 3, 2))
        balance = {a.account_id: a.balance_fen for a in bank.accounts(DEBIT_PAN)}[account_id]
        assert balance == 5_234_000 - 2_000
        assert bank.ledger_problems() == [] and journal.verify().ok
    finally:
        service.close()
        journal.close()
        bank.close()
