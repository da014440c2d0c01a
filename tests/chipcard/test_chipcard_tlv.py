"""BER-TLV and DOL coding: EMV pitfalls by example, then properties over generated data."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.chipcard import tlv
from drivers.chipcard.card_errors import ChipCardError, TlvError
from drivers.errors import CardError


def test_multi_byte_tags_long_lengths_and_constructed_nesting():
    long_value = bytes(range(200))
    data = tlv.encode("6F", tlv.encode("BF0C", tlv.encode("9F4D", b"\x0b\x0a"))
                      + tlv.encode("DF8101", long_value))
    (fci,) = tlv.parse(data)
    assert fci.tag == "6F" and fci.constructed
    assert fci.find("9F4D").value == b"\x0b\x0a"
    assert fci.find("DF8101").value == long_value
    assert data[1] == 0x81  # 200+ bytes need the long form


def test_long_form_length_82_parses():
    value = b"\x11" * 300
    encoded = bytes.fromhex("5F2082012C") + value
    (node,) = tlv.parse(encoded)
    assert node.tag == "5F20" and node.value == value
    assert tlv.encode("5F20", value) == encoded


def test_duplicate_tags_are_kept_in_card_order():
    record = tlv.encode("70", tlv.encode("61", tlv.encode("4F", b"\xa0\x01" + bytes(3)))
                        + tlv.encode("61", tlv.encode("4F", b"\xa0\x02" + bytes(3))))
    entries = tlv.find_all(tlv.parse(record), "61")
    assert [e.find("4F").value[:2] for e in entries] == [b"\xa0\x01", b"\xa0\x02"]


def test_padding_between_objects_is_skipped():
    data = (b"\x00\x00" + tlv.encode("5A", b"\x62\x22") + b"\xff\xff\x00"
            + tlv.encode("5F34", b"\x01"))
    assert [n.tag for n in tlv.parse(data)] == ["5A", "5F34"]


def test_primitives_first_occurrence_wins():
    nodes = tlv.parse(tlv.encode("70", tlv.encode("5A", b"\x01") + tlv.encode("5A", b"\x02")))
    assert tlv.primitives(nodes) == {"5A": b"\x01"}


@pytest.mark.parametrize("broken", [
    "5A0862220200",          # value shorter than its length
    "9F",                    # multi-byte tag cut after the first byte
    "9F61",                  # length missing
    "5F2082012C00",          # long-form length promises 300 bytes
    "5A81",                  # long-form length bytes missing
    "5A80",                  # indefinite length: not allowed in EMV
    "5A85" + "00" * 5,       # more than 4 length bytes
    "70035A0501",            # constructed value holding a truncated child
    "9FFFFFFF0100",          # tag longer than 4 bytes
])
def test_truncation_and_bad_lengths_raise_tlv_error(broken):
    with pytest.raises(TlvError) as info:
        tlv.parse(bytes.fromhex(broken))
    assert isinstance(info.value, CardError) and info.value.reason == "malformed_tlv"


def test_nesting_bomb_is_refused_not_recursed():
    data = b"\x01"
    for _ in range(200):
        data = tlv.encode("70", data)
    with pytest.raises(TlvError, match="nested deeper"):
        tlv.parse(data)


def test_dol_parse_build_and_split():
    pdol = bytes.fromhex("9F7A019F02065F2A02DF6901")
    entries = tlv.parse_dol(pdol)
    assert entries == [("9F7A", 1), ("9F02", 6), ("5F2A", 2), ("DF69", 1)]
    assert tlv.encode_dol(entries) == pdol
    assert tlv.dol_length(entries) == 10
    values = tlv.split_dol_values(entries, bytes.fromhex("00000000001000015600"))
    assert values["5F2A"] == b"\x01\x56" and values["9F02"] == bytes.fromhex("000000001000")
    with pytest.raises(TlvError):
        tlv.split_dol_values(entries, b"\x00" * 9)
    with pytest.raises(TlvError):
        tlv.parse_dol(bytes.fromhex("9F02"))


# -- properties -------------------------------------------------------------------------------
@st.composite
def primitive_tags(draw) -> str:
    cls_bits = draw(st.sampled_from([0x00, 0x40, 0x80, 0xC0]))  # constructed bit 0x20 clear
    if draw(st.booleans()):
        follow = draw(st.lists(st.integers(0x81, 0xFF), max_size=2))
        last = draw(st.integers(0x01, 0x7F))
        return bytes([cls_bits | 0x1F, *follow, last]).hex().upper()
    return bytes([cls_bits | draw(st.integers(1, 0x1E))]).hex().upper()


@st.composite
def node_lists(draw, depth=2):
    nodes = []
    for _ in range(draw(st.integers(0, 4))):
        if depth and draw(st.booleans()):
            children = draw(node_lists(depth=depth - 1))
            tag = draw(st.sampled_from(["70", "77", "6F", "A5", "61", "BF0C"]))
            value = b"".join(c.encode() for c in children)
            nodes.append(tlv.Tlv(tag, value, tuple(children)))
        else:
            nodes.append(tlv.Tlv(draw(primitive_tags()), draw(st.binary(max_size=300))))
    return nodes


@settings(max_examples=150, deadline=None)
@given(node_lists())
def test_round_trip_encode_then_parse(nodes):
    encoded = b"".join(n.encode() for n in nodes)
    parsed = tlv.parse(encoded)
    assert parsed == nodes
    assert b"".join(n.encode() for n in parsed) == encoded


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_parse_or_raise_our_error_only(data):
    try:
        nodes = tlv.parse(data)
    except ChipCardError as exc:
        assert isinstance(exc, TlvError)
        return
    for node in nodes:
        assert node.value is not None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_arbitrary_dol_bytes_parse_or_raise_our_error_only(data):
    try:
        entries = tlv.parse_dol(data)
    except TlvError:
        return
    assert tlv.parse_dol(tlv.encode_dol(entries)) == entries


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["9F02", "9F37", "5F2A", "9A", "DF69", "9F7A"]),
                          st.integers(0, 2 ** 32 - 1)), max_size=6),
       st.sampled_from([None, 250, 256]))
def test_hostile_dol_lengths_raise_tlv_error_before_any_value_is_built(memory_bound, entries,
                                                                        max_total):
    raw = b"".join(tlv.tag_bytes(tag) + tlv.encode_length(length) for tag, length in entries)
    with memory_bound.example():
        try:
            parsed = tlv.parse_dol(raw, max_total=max_total)
        except TlvError:
            return
        data = b"".join(bytes(length) for _, length in parsed)   # what the kiosk would build
    assert all(length <= tlv.MAX_DOL_ENTRY for _, length in parsed)
    assert max_total is None or len(data) <= max_total


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_stay_within_memory(memory_bound, data):
    with memory_bound.example():
        try:
            tlv.parse(data)
        except TlvError:
            pass
