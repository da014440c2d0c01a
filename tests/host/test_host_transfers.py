"""The crash-safe transfer service and its risk rules, over both backends."""
from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.host.iso8583_client import Iso8583Client
from kiosk.host.link import REASONS
from kiosk.host.models import TransferInstruction, TransferKind, TransferOutcome
from kiosk.host.stan import StanCounter
from kiosk.risk import FRAUD_WARNING, NEW_PAYEE, STRUCTURING, TransferRefused
from kiosk.transfers import TransferOrder, TransferService

from .conftest import DEBIT_PAN, PAYEE_INTRA


def order(service, amount, to=PAYEE_INTRA, kind=TransferKind.INTRABANK):
    card = service.card
    return TransferOrder(card.pan, TransferInstruction(
        card.account_id, to[0], to[1], amount, kind, auth_ref=card.auth_ref))


def send(service, amount, to=PAYEE_INTRA, kind=TransferKind.INTRABANK):
    return service.transfer(order(service, amount, to, kind), fraud_warning_acknowledged=True,
                            new_payee_acknowledged=True)


def kinds(journal, ref):
    return [e.kind for e in journal.entries(ref=ref)]


def test_approved_transfer_is_journaled_pending_then_approved(service, journal, bank):
    result = send(service, 12_345)
    assert result.outcome is TransferOutcome.APPROVED and result.reference
    ref = service.ref(result.stan)
    assert kinds(journal, ref) == ["transfer.pending", "transfer.approved"]
    row = next(journal.entries(kind="transfer.approved"))
    assert row.fields["pan"] == "622202*********0018"
    assert row.fields["to_account_number"] == "622202*********0034"
    assert DEBIT_PAN not in str(row.fields) and row.fields["to_name"] == "测*丙"
    assert journal.verify().ok and bank.ledger_problems() == []


def test_fraud_warning_must_be_acknowledged(service, journal, bank):
    assert FRAUD_WARNING in service.assess(order(service, 100)).warnings
    with pytest.raises(TransferRefused) as err:
        service.transfer(order(service, 100), fraud_warning_acknowledged=False,
                         new_payee_acknowledged=True)
    assert err.value.reason == "fraud_warning_not_acknowledged" and err.value.reason in REASONS
    assert [e.kind for e in journal.entries()][-1] == "transfer.refused"
    assert bank.request_outcomes("KSK00001") == {}


def test_new_payee_warned_only_before_the_first_transfer(service):
    assert NEW_PAYEE in service.assess(order(service, 100)).warnings
    with pytest.raises(TransferRefused) as err:
        service.transfer(order(service, 100), fraud_warning_acknowledged=True)
    assert err.value.reason == "new_payee_not_acknowledged"
    send(service, 100)
    assert NEW_PAYEE not in service.assess(order(service, 100)).warnings
    assert service.transfer(order(service, 100), fraud_warning_acknowledged=True).outcome is \
        TransferOutcome.APPROVED


def test_a_payee_from_the_banks_saved_list_is_no_stranger(service):
    saved = replace(order(service, 100), saved_payee=True)   # paid before, at another branch
    assert NEW_PAYEE not in service.assess(saved).warnings
    assert service.transfer(saved, fraud_warning_acknowledged=True).outcome is \
        TransferOutcome.APPROVED


def test_large_transfer_held_for_staff_then_released(service, journal, bank):
    amount = service.risk.section.large_transfer_fen + 1
    result = send(service, amount)
    assert result.outcome is TransferOutcome.HELD and result.reason == "held_for_review"
    assert [h.stan for h in service.held_alerts] == [result.stan]
    assert service.held_alerts[0].card_masked == "622202*********0018"
    assert bank.request_outcomes("KSK00001") == {}  # nothing sent before staff confirm
    released = service.release_held(result.stan, "staff-07")
    assert released.outcome is TransferOutcome.APPROVED and released.stan == result.stan
    assert kinds(journal, service.ref(result.stan)) == [
        "transfer.held", "transfer.released", "transfer.pending", "transfer.approved"]
    assert service.held() == []


def test_held_transfer_rejected_by_staff_never_reaches_the_host(service, journal, bank):
    result = send(service, service.risk.section.large_transfer_fen + 100)
    service.reject_held(result.stan, "staff-07")
    assert bank.request_outcomes("KSK00001") == {}
    assert kinds(journal, service.ref(result.stan))[-1] == "transfer.rejected"


def test_structuring_flag_reaches_staff_hook_and_journal(service, journal, bank):
    section = service.risk.section
    service.risk.section = type(section)(**{**section.__dict__, "large_transfer_fen": 20_000,
                                            "structuring_count": 3})
    just_under = 19_000   # at least structuring_ratio (0.9) of the threshold
    for _ in range(2):
        assert not service.assess(order(service, just_under)).flags
        send(service, just_under)
    assert service.flag_alerts == []
    found = service.assess(order(service, just_under))
    assert STRUCTURING in found.flags and not found.hold
    assert not service.assess(order(service, 10_000)).flags   # well under: not counted
    assert send(service, just_under).outcome is TransferOutcome.APPROVED  # flagged, not stopped
    assert [f.rule for f in service.flag_alerts] == [STRUCTURING]
    assert [e.kind for e in journal.entries(kind="risk.flagged")] == ["risk.flagged"]


def test_kiosk_daily_limit(service):
    section = service.risk.section
    service.risk.section = type(section)(**{**section.__dict__, "daily_limit_fen": 30_000})
    send(service, 20_000)
    with pytest.raises(TransferRefused) as err:
        send(service, 10_001)
    assert err.value.reason == "daily_limit_exceeded"


def service_on_unreachable_host(config, journal, card):
    """A TransferService for `card` whose ISO 8583 host never answers (nothing listens on :9),
    and that host's client (to close)."""
    client = Iso8583Client("127.0.0.1:9", terminal_id=config.host.terminal_id,
                           acquirer_id=config.host.acquirer_id,
                           stans=StanCounter(config.path(config.host.state)), timeout_s=0.3)
    svc = TransferService.from_config(config, client, journal)
    svc.card = card
    return svc, client


def test_transfers_refused_while_a_crashed_one_is_unresolved(config, bank, journal, debit):
    svc, down = service_on_unreachable_host(config, journal, debit)
    try:
        journal.record("transfer.pending", ref=svc.ref(700), transmitted_at="0101000000",
                       **svc._fields(700, order(svc, 100)))   # left by a crash
        report = svc.recover()
        assert report.still_open == 1 and not svc.ready
        with pytest.raises(TransferRefused) as err:
            send(svc, 100)
        assert err.value.reason == "recovery_incomplete"
        svc.host = bank   # the link is back: the next transfer finishes recovery first
        assert send(svc, 100).outcome is TransferOutcome.APPROVED
        assert svc.ready and journal.open_refs("transfer.pending", ("transfer.approved",
                                               "transfer.reversed")) == []
    finally:
        svc.close()
        down.close()


# -- host failures over ISO 8583 ---------------------------------------------------------------
@pytest.fixture
def iso_service(config, bank, iso_server, journal, debit):
    client = Iso8583Client("%s:%d" % iso_server.address, terminal_id=config.host.terminal_id,
                           acquirer_id=config.host.acquirer_id,
                           stans=StanCounter(config.path(config.host.state)), timeout_s=0.3,
                           reversal_timeout_s=0.3)
    svc = TransferService.from_config(config, client, journal)
    svc.card = debit
    svc.recover()
    yield svc
    svc.close()
    client.close()


@pytest.mark.parametrize("fault, applied", [
    ("silence", True),    # the host applies it but the answer never comes
    ("drop", False),      # the connection dies before the host reads it
])
def test_timeout_reverses_and_tells_the_customer(iso_service, iso_server, journal, bank, fault,
                                                 applied):
    iso_server.inject(fault, "0200")
    result = send(iso_service, 30_000)
    assert result.reason == "host_timeout"
    assert result.outcome is TransferOutcome.DECLINED  # reversal confirmed straight away
    assert kinds(journal, iso_service.ref(result.stan)) == [
        "transfer.pending", "transfer.unknown", "transfer.reversed"]
    assert bank.request_outcomes("KSK00001")[result.stan] == "reversed"
    reversed_row = next(journal.entries(kind="transfer.reversed"))
    assert reversed_row.fields["host_reversed"] is applied
    assert bank.ledger_problems() == [] and journal.verify().ok
    assert {a.account_id: a.balance_fen for a in bank.accounts(DEBIT_PAN)}[
        iso_service.card.account_id] == 5_234_000


def test_unanswered_reversal_stays_pending_and_repeats_as_0421(iso_service, iso_server, journal,
                                                               bank):
    iso_server.inject("silence", "0200")
    iso_server.inject("silence", "0420")
    result = send(iso_service, 30_000)
    assert result.outcome is TransferOutcome.PENDING and result.reason == "host_timeout"
    ref = iso_service.ref(result.stan)
    assert journal.open_refs("transfer.pending", ("transfer.reversed",)) == [ref]
    report = iso_service.recover()   # as at the next start-up
    # The host had applied the silent 0420, so the 0421 finds nothing left to reverse.
    assert (report.open_found, report.nothing_to_reverse, report.still_open) == (1, 1, 0)
    assert kinds(journal, ref)[-1] == "transfer.reversed"
    assert iso_service.ready
    assert bank.request_outcomes("KSK00001")[result.stan] == "reversed"
    assert iso_server.received["0420"] == 1 and iso_server.received["0421"] == 1
    assert bank.ledger_problems() == [] and journal.verify().ok


def test_garbled_answer_is_host_malformed_and_reversed(iso_service, iso_server, bank, journal):
    iso_server.inject("garbage", "0200")
    result = send(iso_service, 5_000)
    assert result.reason == "host_malformed" and result.outcome is TransferOutcome.DECLINED
    assert bank.request_outcomes("KSK00001")[result.stan] == "reversed"
    unknown = next(journal.entries(kind="transfer.unknown"))
    assert unknown.fields["reason"] == "host_malformed"


def test_unreachable_host_is_declined_without_reversal(config, bank, journal, debit):
    svc, client = service_on_unreachable_host(config, journal, debit)
    try:
        svc.recover()
        result = send(svc, 5_000)
        assert result.outcome is TransferOutcome.DECLINED and result.reason == "host_unavailable"
        assert journal.open_refs("transfer.pending", ("transfer.declined",)) == []
    finally:
        svc.close()
        client.close()


def test_recovery_resolves_transfers_left_pending_by_a_crash(config, bank, journal, debit):
    """A PENDING row with no answer (the kiosk died mid-transfer) is reversed at start-up."""
    svc = TransferService.from_config(config, bank, journal)
    svc.card = debit
    svc.recover()
    fields = svc._fields(900, order(svc, 4_000))
    journal.record("transfer.pending", ref=svc.ref(900), transmitted_at="0101000000", **fields)
    from kiosk.host.models import TransferRequest
    bank.transfer(TransferRequest("KSK00001", 900, TransferInstruction(
        debit.account_id, PAYEE_INTRA[0], PAYEE_INTRA[1], 4_000, TransferKind.INTRABANK,
        auth_ref=debit.auth_ref)))
    journal.record("transfer.pending", ref=svc.ref(901), transmitted_at="0101000000",
                   **svc._fields(901, order(svc, 6_000)))   # never reached the host
    svc.close()
    again = TransferService.from_config(config, bank, journal)
    try:
        report = again.recover()
        assert (report.open_found, report.reversed, report.nothing_to_reverse) == (2, 1, 1)
        assert again.ready and journal.open_refs("transfer.pending",
                                                 ("transfer.reversed",)) == []
        assert bank.request_outcomes("KSK00001") == {900: "reversed", 901: "reversed"}
        assert bank.ledger_problems() == []
    finally:
        again.close()
