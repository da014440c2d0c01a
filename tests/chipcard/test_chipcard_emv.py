"""The EMV/PBOC flow against the emulated cards' own APDU logic (no transport), and fuzzing.

The end-to-end path through pcscd + vpcd is in test_chipcard_pcsc.py; here the same profiles run
as pure functions so every rule is checked quickly and APDU by APDU.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.chipcard import apdu as cmd
from drivers.chipcard.card_errors import (ApplicationBlockedError, CardBlockedError,
                                          CardExpiredError, ChipCardError, NoApplicationError,
                                          PinBlockedError, TlvError, Track2MismatchError)
from drivers.chipcard.card_profile import load_profile
from drivers.chipcard.emulated_card import EmulatedCard
from drivers.chipcard.emv import EmvSession, parse_afl, terminal_value
from drivers.chipcard import tlv

TODAY = dt.date(2026, 11, 28)


class CardLink:
    """Bytes to an emulated card, recording every command APDU (as a reader would send it)."""

    def __init__(self, profile: str):
        self.card = EmulatedCard(load_profile(profile))
        self.sent: list[bytes] = []

    def __call__(self, apdu: bytes) -> bytes:
        self.sent.append(apdu)
        return self.card.process(apdu)

    def session(self, **kwargs) -> EmvSession:
        return EmvSession.over_raw(self, today=lambda: TODAY, **kwargs)

    def instructions(self) -> list[str]:
        return [a[:2].hex().upper() for a in self.sent]


def test_debit_identity_in_seven_apdus_without_log_or_counters():
    link = CardLink("unionpay_debit")
    card = link.session().read_identity()
    assert len(link.sent) <= 7
    assert link.instructions() == ["00A4", "00B2", "00B2", "00A4", "80A8", "00B2", "00B2"]
    assert card.pan == "6222020000000000018" and card.pan_masked == "622202*********0018"
    assert card.expiry == dt.date(2031, 12, 31) and card.expiry_month == "2031-12"
    assert card.name == "测试甲" and card.pan_sequence == "01"
    assert card.cardholder_id == "110101199003071030"
    assert card.cardholder_id_type == "id_card" and card.service_code == "220"
    assert card.aid == "A000000333010101" and card.label == "UnionPay Debit"


def test_card_data_repr_masks_numbers():
    card = CardLink("unionpay_debit").session().read_identity()
    text = repr(card) + str(card) + f"{card}"
    assert "6222020000000000018" not in text and "110101199003071030" not in text
    assert "622202*********0018" in text and "110101********1030" in text


def test_pdol_filled_per_notes():
    link = CardLink("unionpay_credit")  # PDOL 9F7A01 9F0206 5F2A02 DF6901
    link.session().read_identity()
    (gpo,) = [a for a in link.sent if a[:2] == b"\x80\xa8"]
    assert gpo[5:7] == b"\x83\x0a"
    assert gpo[7:17] == bytes.fromhex("00" "000000000000" "0156" "00")
    assert terminal_value("9A", 3, TODAY, b"1234") == bytes.fromhex("261128")
    assert terminal_value("9F02", 4, TODAY, b"") == bytes(4)
    assert terminal_value("9F37", 4, TODAY, b"\x01\x02\x03\x04") == b"\x01\x02\x03\x04"


def test_gpo_format_1_and_format_2_both_read():
    credit = CardLink("unionpay_credit").session().read_identity()   # format 1
    debit = CardLink("unionpay_debit").session().read_identity()     # format 2
    assert credit.pan == "6259650000000000025" and debit.pan == "6222020000000000018"


def test_t0_card_chains_61xx_and_resends_on_6cxx_without_losing_bytes():
    link = CardLink("t0_chaining")
    card = link.session().read_identity()
    assert card.pan == "6222020000000000034" and card.name == "测试丙"
    ins = link.instructions()
    assert ins.count("00C0") >= 4                       # GET RESPONSE rounds
    assert any(a[:2] == b"\x00\xb2" and a[4] != 0 for a in link.sent)  # Le from 6Cxx
    # the chained FCI equals what a T=1 card with the same application returns in one piece
    t0, t1 = CardLink("t0_chaining"), CardLink("unionpay_debit")
    select = cmd.select_by_name(bytes.fromhex("A000000333010101"))
    chained = cmd.exchange(t0, select)
    direct = cmd.exchange(t1, select)
    assert chained.ok and tlv.parse(chained.data)[0].find("50").value == b"UnionPay Debit"
    assert len(chained.data) > 24 and len(chained.data) == len(tlv.parse(chained.data)[0].encode())
    assert direct.ok


def test_two_applications_customer_chooses():
    link = CardLink("two_apps")
    offered = []

    def choose(apps):
        offered.extend(apps)
        return next(a for a in apps if a.aid.endswith("0102"))

    card = link.session().read_identity(choose)
    assert [a.label for a in offered] == ["UnionPay Debit", "UnionPay Credit"]  # by priority
    assert card.pan == "6259650000000000041" and card.aid == "A000000333010102"
    default = CardLink("two_apps").session().read_identity()
    assert default.pan == "6222020000000000042"   # highest priority without a chooser


def test_no_pse_falls_back_to_ppse_then_aid_list():
    link = CardLink("no_pse")
    card = link.session().read_identity()
    assert card.pan == "6222020000000000083"
    selects = [a[5:5 + a[4]] for a in link.sent if a[:2] == b"\x00\xa4"]
    assert selects[:2] == [cmd.PSE, cmd.PPSE]
    assert bytes.fromhex("A000000333010101") in selects


@pytest.mark.parametrize("profile, error, reason", [
    ("expired", CardExpiredError, "card_expired"),
    ("blocked_app", ApplicationBlockedError, "application_blocked"),
    ("blocked_card", CardBlockedError, "card_blocked"),
    ("truncated_tlv", TlvError, "malformed_tlv"),
])
def test_unusable_cards_end_with_their_own_reason(profile, error, reason):
    with pytest.raises(error) as info:
        CardLink(profile).session().read_identity()
    assert info.value.reason == reason
    assert type(info.value) is error


def test_expired_error_still_carries_masked_card_data():
    with pytest.raises(CardExpiredError) as info:
        CardLink("expired").session().read_identity()
    assert info.value.card_data.pan_masked == "622202*********0059"
    assert "6222020000000000059" not in str(info.value)


def test_counters_are_separate_get_data_calls():
    link = CardLink("unionpay_debit")
    session = link.session()
    session.read_identity()
    before = len(link.sent)
    counters = session.read_counters()
    assert [a[:4].hex().upper() for a in link.sent[before:]] == ["80CA9F17", "80CA9F36",
                                                                 "80CA9F79"]
    assert counters.pin_tries == 3 and counters.ec_balance == Decimal("123.45")
    assert counters.atc == 18  # the profile's 17, plus our one GPO


def test_chip_log_only_on_demand():
    link = CardLink("unionpay_debit")
    session = link.session()
    session.read_identity()
    assert not any(a[3] == (11 << 3) | 4 for a in link.sent if a[:2] == b"\x00\xb2")
    entries = session.read_log()
    assert [(e.date, e.amount, e.merchant) for e in entries] == [
        (dt.date(2026, 11, 20), Decimal("200.00"), "测试便利店"),
        (dt.date(2026, 11, 2), Decimal("35.50"), "测试食堂")]
    assert entries[0].time == dt.time(10, 31, 5) and entries[0].currency == 156
    assert CardLink("unionpay_credit").session().read_log() == []   # no log on that card


def test_offline_pin_tries_count_down_and_reset(caplog):
    caplog.set_level(logging.DEBUG)
    link = CardLink("unionpay_debit")
    session = link.session()
    session.read_identity()
    first = session.verify_pin("654321")
    second = session.verify_pin("111111")
    assert (first.ok, first.tries_left, second.tries_left) == (False, 2, 1)
    assert session.verify_pin("123456").ok
    assert session.read_counters().pin_tries == 3
    verify = [a for a in link.sent if a[:2] == b"\x00\x20"]
    assert verify[-1][5:] == bytes.fromhex("26123456FFFFFFFF")
    assert "123456" not in caplog.text and "654321" not in caplog.text


def test_pin_runs_out_then_blocked():
    link = CardLink("unionpay_debit")
    session = link.session()
    assert session.verify_pin("000000").tries_left == 2   # selects and runs GPO itself
    session.verify_pin("000000")
    with pytest.raises(PinBlockedError):
        session.verify_pin("000000")
    with pytest.raises(PinBlockedError) as info:
        session.verify_pin("123456")                      # 9F17 = 0: no VERIFY sent
    assert info.value.reason == "pin_blocked"
    assert link.instructions()[-1] == "80CA"


def test_pin_blocked_profile_reads_but_refuses_pin():
    link = CardLink("pin_blocked")
    session = link.session()
    assert session.read_identity().pan == "6222020000000000075"
    assert session.read_counters().pin_tries == 0
    with pytest.raises(PinBlockedError):
        session.verify_pin("123456")
    assert "0020" not in link.instructions()


def test_track2_must_name_the_same_card():
    link = CardLink("unionpay_debit")
    real = link.card.process

    def tampered(apdu: bytes) -> bytes:
        out = real(apdu)
        return out.replace(bytes.fromhex("6222020000000000018F"),
                           bytes.fromhex("6222020000000000026F"), 1) \
            if apdu[:4] == bytes.fromhex("00B20114") else out  # 5A is in SFI 2

    with pytest.raises(Track2MismatchError):
        EmvSession.over_raw(tampered, today=lambda: TODAY).read_identity()


def test_no_unionpay_application():
    def no_apps(apdu: bytes) -> bytes:
        return bytes.fromhex("6A82")
    with pytest.raises(NoApplicationError):
        EmvSession.over_raw(no_apps, today=lambda: TODAY).read_identity()


def test_pse_6e00_gets_one_warm_reset():
    link = CardLink("unionpay_debit")
    resets = []
    first = [True]

    def flaky(apdu: bytes) -> bytes:
        if first[0] and apdu[5:5 + apdu[4]] == cmd.PSE:
            first[0] = False
            return bytes.fromhex("6E00")
        return link(apdu)

    card = EmvSession.over_raw(flaky, today=lambda: TODAY,
                               reset=lambda: resets.append(1)).read_identity()
    assert resets == [1] and card.pan.endswith("0018")


@pytest.mark.parametrize("afl", ["", "080101", "00010100", "08020100", "F8010100"])
def test_bad_afl_is_malformed(afl):
    with pytest.raises(ChipCardError) as info:
        parse_afl(bytes.fromhex(afl))
    assert info.value.reason == "malformed_data"


# -- fuzzing: whatever the card answers, only ChipCardError comes out, and it ends ------------
def _mutating_link(seed: int, profile: str = "unionpay_debit"):
    rng = random.Random(seed)
    link = CardLink(profile)

    def transmit(apdu: bytes) -> bytes:
        if len(link.sent) > 200:
            raise AssertionError("flow does not terminate")
        real = bytearray(link(apdu))
        roll = rng.random()
        if roll < 0.15:
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
        if roll < 0.3 and len(real) > 2:
            i = rng.randrange(len(real) - 2)
            real[i] = rng.getrandbits(8)
        elif roll < 0.4:
            return bytes(real[:rng.randint(0, len(real))])
        elif roll < 0.45:
            return bytes([0x61, rng.getrandbits(8)])
        return bytes(real)
    return transmit


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from(["unionpay_debit", "t0_chaining", "two_apps",
                                                "no_pse"]))
def test_fuzzed_card_answers_never_crash_or_hang(seed, profile):
    session = EmvSession.over_raw(_mutating_link(seed, profile), today=lambda: TODAY)
    try:
        session.read_identity()
        session.read_counters()
        session.read_log()
    except ChipCardError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=60), min_size=1, max_size=30))
def test_random_responses_never_crash(responses):
    answers = iter(responses)

    def transmit(apdu: bytes) -> bytes:
        return next(answers, b"\x6a\x82")
    try:
        EmvSession.over_raw(transmit, today=lambda: TODAY).read_identity()
    except ChipCardError:
        pass


@pytest.mark.parametrize("pdol", [
    "9F028440000000",               # one entry declaring 1 GiB
    "9F0284FFFFFFFF",               # 4 GiB: was a plain MemoryError
    "9F0281FF" * 2,                 # two legal-looking entries, 510 bytes together
])
def test_hostile_pdol_lengths_are_a_card_error_before_anything_is_built(pdol):
    import tracemalloc
    from dataclasses import replace
    profile = load_profile("unionpay_debit")
    app = replace(profile.applications[0], pdol=pdol)
    link = CardLink("unionpay_debit")
    link.card = EmulatedCard(replace(profile, applications=(app,)))
    tracemalloc.start()
    try:
        with pytest.raises(TlvError):
            link.session().read_identity()
        assert tracemalloc.get_traced_memory()[1] < 16 * 1024 * 1024
    finally:
        tracemalloc.stop()
    assert not any(a[:2] == b"\x80\xa8" for a in link.sent)   # no GPO sent


def test_hostile_log_format_lengths_are_a_card_error():
    with pytest.raises(TlvError):
        tlv.parse_dol(bytes.fromhex("9A03" "9F0284FFFFFFFF"), max_total=256)
    assert tlv.parse_dol(bytes.fromhex("9A039F0206"), max_total=256) == [("9A", 3), ("9F02", 6)]
