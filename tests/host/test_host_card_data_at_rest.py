"""Card data at rest: held transfers sealed under a key held apart, card and payee digests keyed
by a key that is neither in the config nor on the data disk."""
from __future__ import annotations

import hashlib
import hmac
import sqlite3

import pytest

from kiosk.held_transfers import HeldTransferUnreadable, HeldTransfers
from kiosk.host.models import TransferInstruction, TransferKind, TransferOutcome
from kiosk.keys import KeyRing
from kiosk.risk import number_key
from kiosk.transfers import TransferOrder, TransferService

from .conftest import DEBIT_PAN, PAYEE_INTRA

MEMO = "rent for March, flat 1203"


def _held(service):
    order = TransferOrder(DEBIT_PAN, TransferInstruction(
        service.card.account_id, *PAYEE_INTRA, service.risk.section.large_transfer_fen + 1,
        TransferKind.INTRABANK, memo=MEMO, auth_ref=service.card.auth_ref))
    result = service.transfer(order, fraud_warning_acknowledged=True, new_payee_acknowledged=True)
    assert result.outcome is TransferOutcome.HELD
    return result.stan


def _state_bytes(config) -> bytes:
    path = config.path(config.host.state)
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def _clear(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le")]


def test_a_held_transfer_is_sealed_at_rest_and_still_released(service, config):
    stan = _held(service)
    on_disk = _state_bytes(config)
    for secret in (DEBIT_PAN, PAYEE_INTRA[0], MEMO, PAYEE_INTRA[1]):
        assert not any(form in on_disk for form in _clear(secret)), secret
    assert service.release_held(stan, "staff-07").outcome is TransferOutcome.APPROVED


def test_a_sealed_held_transfer_does_not_open_without_the_card_key(service, config):
    stan = _held(service)
    service.close()
    stranger = HeldTransfers(config.path(config.host.state), b"\x00" * 32)
    with pytest.raises(HeldTransferUnreadable):
        stranger.take(stan)
    stranger.close()


def test_clear_held_transfers_of_an_older_version_are_sealed_and_wiped(config, bank, journal):
    state = config.path(config.host.state)
    state.parent.mkdir(mode=0o700, exist_ok=True)
    old = sqlite3.connect(state)
    old.execute("CREATE TABLE held_transfers (stan INTEGER PRIMARY KEY, pan TEXT NOT NULL, "
                "from_account_id TEXT NOT NULL, to_account_number TEXT NOT NULL, to_name TEXT NOT "
                "NULL, amount_fen INTEGER NOT NULL, kind TEXT NOT NULL, memo TEXT NOT NULL)")
    old.execute("INSERT INTO held_transfers VALUES (7, ?, 'A0001', ?, ?, 6000000, 'intrabank', ?)",
                (DEBIT_PAN, *PAYEE_INTRA, MEMO))
    old.commit()
    old.close()
    service = TransferService.from_config(config, bank, journal)
    try:
        assert service.held() == [7]
        on_disk = _state_bytes(config)
        assert DEBIT_PAN.encode() not in on_disk and MEMO.encode() not in on_disk
        assert service._take_held(7).pan == DEBIT_PAN
    finally:
        service.close()


def test_card_key_is_not_derivable_from_the_config_or_the_data_disk(service, config, journal):
    service.transfer(TransferOrder(DEBIT_PAN, TransferInstruction(
        service.card.account_id, *PAYEE_INTRA, 100, TransferKind.INTRABANK,
        auth_ref=service.card.auth_ref)),
                     fraud_warning_acknowledged=True, new_payee_acknowledged=True)
    card_key = next(journal.entries(kind="transfer.approved")).fields["card_key"]
    # The brute force that recovered a PAN before: every PAN with the card's issuer prefix and
    # last four, each tried under every secret an attacker finds in the config or data folder.
    candidates = [f"622202{middle:09d}0018" for middle in range(0, 1000)]
    terminal_key = bytes.fromhex(config.host.terminal_key_hex)
    secrets_found = [hashlib.sha256(b"payee-key:" + terminal_key).digest(), terminal_key]
    for path in config.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            secrets_found += [data[i:i + 32] for i in range(0, min(len(data), 4096), 16)]
    for secret in secrets_found:
        assert not any(hmac.compare_digest(number_key(pan, secret), card_key)
                       for pan in candidates)
    # what it takes: the card key, which lives outside the data folder
    keys = KeyRing.from_config(config)
    assert config.data_dir not in keys.folder.parents
    assert number_key(DEBIT_PAN, keys.card.derive("number-key")) == card_key


def test_sandbox_account_ids_are_never_taken_for_card_numbers():
    """A hex id now and then held 16 digits passing Luhn ('AA2475398113189310F31'): the
    journal's scrub masked it and the day's transfers no longer matched their accounts."""
    from drivers.privacy import scrub
    from kiosk.host.sandbox import opaque_id
    assert scrub("from AA2475398113189310F31") != "from AA2475398113189310F31"   # the old risk
    ids = {opaque_id() for _ in range(5000)}
    assert len(ids) == 5000 and all(len(i) == 21 for i in ids)
    assert all(scrub(f"from {i} to {i}") == f"from {i} to {i}" for i in ids)
