"""Fuzzing the codec and the card parser: only the driver's own errors, never a hang."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceError
from drivers.idcard.emulator import load_people
from drivers.idcard.frames import (FrameDecoder, build_reply, join_base_message, parse_reply,
                                   split_base_message)
from drivers.idcard.record import parse_card

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
PEOPLE = load_people()
VALID_REPLIES = [build_reply(0x90), build_reply(0x9F, bytes(4)), build_reply(0x80),
                 build_reply(0x90, join_base_message(PEOPLE["ceshi_jia"].text, b"WLf" * 10))]


def drain(stream: bytes) -> list[bytes]:
    """Decode everything; each step must consume or end, so the loop is bounded."""
    dec = FrameDecoder()
    dec.feed(stream)
    out = []
    for _ in range(len(stream) + 2):
        try:
            payload = dec.next_payload()
        except DeviceError:
            continue
        if payload is None:
            assert dec.needed() >= 1
            return out
        out.append(payload)
        try:
            reply = parse_reply(payload)
            split_base_message(reply.data)
        except DeviceError:
            pass
    raise AssertionError("decoder did not finish: it would hang the driver")


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_give_only_driver_errors(memory_bound, data):
    with memory_bound.example():
        drain(data)


@st.composite
def mutated_stream(draw):
    frames = draw(st.lists(st.sampled_from(VALID_REPLIES), min_size=1, max_size=4))
    stream = bytearray(b"".join(frames))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(("flip", "insert", "delete", "truncate")))
        pos = draw(st.integers(0, max(0, len(stream) - 1)))
        if kind == "flip" and stream:
            stream[pos] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            stream[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete" and stream:
            del stream[pos]
        elif kind == "truncate":
            del stream[pos:]
    return frames, bytes(stream)


@FUZZ
@given(mutated_stream())
def test_mutated_frames_give_only_driver_errors(case):
    frames, stream = case
    decoded = drain(stream)
    if stream == b"".join(frames):
        assert decoded == [f[7:-1] for f in frames]


@FUZZ
@given(st.binary(min_size=256, max_size=256))
def test_random_text_blocks_give_only_card_data_errors(block):
    try:
        parse_card(block)
    except DeviceError:
        pass


@FUZZ
@given(st.sampled_from(sorted(PEOPLE)), st.integers(0, 255), st.integers(1, 255))
def test_corrupted_card_text_gives_only_card_data_errors(person, pos, xor):
    block = bytearray(PEOPLE[person].text)
    block[pos] ^= xor
    try:
        record = parse_card(bytes(block))
    except DeviceError:
        return
    record.checks()
    assert record.id_number not in repr(record)
