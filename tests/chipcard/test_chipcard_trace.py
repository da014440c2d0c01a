"""The APDU trace: what a card answers is logged with card and ID numbers masked."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.chipcard import apdu as cmd
from drivers.chipcard import tlv
from drivers.chipcard.apdu_trace import describe_command, describe_data
from drivers.chipcard.card_profile import load_profile, profile_names
from drivers.chipcard.emulated_card import EmulatedCard


def test_known_and_unknown_tags_holding_numbers_are_masked():
    data = tlv.encode("70", tlv.encode("DF01", bytes.fromhex("6222020000000000018F"))
                      + tlv.encode("9F61", b"51010719881230113X")
                      + tlv.encode("5F24", bytes.fromhex("311231"))
                      + tlv.encode("57", bytes.fromhex("6222020000000000018D31122200000F")))
    text = describe_data(data)
    assert "6222020000000000018" not in text and "51010719881230113X" not in text
    assert text == ("703A DF010A [622202*********0018] 9F6112 [510107********113X] "
                    "5F2403 311231 5710 [622202*********0018D***********]")


def test_pin_block_and_broken_data_are_not_shown():
    assert describe_command(bytes(cmd.verify_plaintext_pin("123456"))) == \
        "0020008008 <PIN block hidden>"
    assert describe_data(bytes.fromhex("5A0862220200000000")) == "<9 bytes, not TLV>"


@pytest.mark.parametrize("profile", profile_names())
def test_no_profile_answer_spells_out_a_number(profile):
    card = EmulatedCard(load_profile(profile))
    secrets = set()
    for app in card.profile.applications:
        secrets |= {app.cardholder.pan, app.cardholder.id_number,
                    app.cardholder.id_number.encode().hex().upper()}
    commands = [cmd.select_by_name(cmd.PSE), cmd.read_record(1, 1)]
    for app in card.profile.applications:
        commands.append(cmd.select_by_name(bytes.fromhex(app.aid)))
        commands += [cmd.read_record(r.sfi, r.record) for r in app.records]
    for command in commands:
        answer = cmd.exchange(card.process, command)
        text = describe_data(answer.data)
        assert not any(secret in text for secret in secrets), text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120))
def test_any_bytes_render_without_raising(data):
    assert isinstance(describe_data(data), str)
