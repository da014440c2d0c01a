"""Frame codec: exact bytes from the protocol notes, resync, checksum, SW3 meanings."""
from __future__ import annotations

import pytest

from drivers.errors import CardError, DeviceReportedError, NoCardError, TransportError
from drivers.idcard import errors as e
from drivers.idcard.frames import (FIND_CARD, READ_BASE, READ_EXTRA_ADDRESS, SAM_ID, SAM_STATUS,
                                   SELECT_CARD, FrameDecoder, build_reply, join_base_message,
                                   parse_reply, split_base_message)


@pytest.mark.parametrize("command, wire", [
    (SAM_STATUS, "AAAAAA9669000311FFED"),
    (SAM_ID, "AAAAAA9669000312FFEE"),
    (FIND_CARD, "AAAAAA96690003200122"),
    (SELECT_CARD, "AAAAAA96690003200221"),
    (READ_BASE, "AAAAAA96690003300132"),
    (READ_EXTRA_ADDRESS, "AAAAAA96690003300330"),
])
def test_command_frames_match_the_documented_bytes(command, wire):
    assert command.frame().hex().upper() == wire


def test_reply_frames_match_the_documented_bytes():
    assert build_reply(0x90).hex().upper() == "AAAAAA9669000400009094"
    assert build_reply(0x9F, bytes(4)).hex().upper() == "AAAAAA96690008000" + "09F0000000097"


def _decode_all(stream: bytes) -> tuple[list[bytes], int]:
    dec, frames, errors = FrameDecoder(), [], 0
    dec.feed(stream)
    while True:
        try:
            payload = dec.next_payload()
        except e.FrameError:
            errors += 1
            continue
        if payload is None:
            return frames, errors
        frames.append(payload)


def test_decoder_resyncs_after_stray_bytes_and_half_preambles():
    a, b = build_reply(0x90), build_reply(0x9F, bytes(4))
    frames, errors = _decode_all(b"\x00\xAA\xAA" + a + b"\xFF\xAA\xAA\x96" + b + b"\xAA")
    assert [parse_reply(p).sw3 for p in frames] == [0x90, 0x9F]
    assert errors == 0


def test_decoder_reports_a_corrupt_checksum_once_and_keeps_the_next_frame():
    bad = bytearray(build_reply(0x90))
    bad[-1] ^= 0x01
    frames, errors = _decode_all(bytes(bad) + build_reply(0x80))
    assert errors == 1
    assert [parse_reply(p).sw3 for p in frames] == [0x80]


def test_decoder_waits_for_split_frames_and_says_how_much_it_needs():
    frame = build_reply(0x90, bytes(100))
    dec = FrameDecoder()
    dec.feed(frame[:3])
    assert dec.next_payload() is None
    dec.feed(frame[3:20])
    assert dec.next_payload() is None
    assert dec.needed() == len(frame) - 20
    dec.feed(frame[20:])
    assert parse_reply(dec.next_payload()).data == bytes(100)


def test_impossible_length_is_a_frame_error():
    dec = FrameDecoder()
    dec.feed(bytes.fromhex("AAAAAA9669FFFF00009000"))
    with pytest.raises(e.FrameError):
        dec.next_payload()


def test_base_message_split_roundtrip_and_bad_lengths():
    text, photo, finger = bytes(range(256)), b"WLf" + bytes(1021), b"C" * 1024
    assert split_base_message(join_base_message(text, photo)) == (text, photo, b"")
    assert split_base_message(join_base_message(text, photo, finger), True) == (text, photo, finger)
    with pytest.raises(e.FrameError):
        split_base_message(join_base_message(text, photo)[:-1])


FAMILIES = {
    0x10: DeviceReportedError, 0x11: DeviceReportedError, 0x21: DeviceReportedError,
    0x23: DeviceReportedError, 0x24: DeviceReportedError, 0x3F: DeviceReportedError,
    0x47: DeviceReportedError, 0x60: DeviceReportedError, 0x66: DeviceReportedError,
    0x31: CardError, 0x32: CardError, 0x33: CardError, 0x37: CardError, 0x40: CardError,
    0x41: CardError, 0x81: CardError, 0x91: CardError, 0x80: NoCardError,
}


@pytest.mark.parametrize("sw3, family", sorted(FAMILIES.items()))
def test_every_documented_sw3_maps_to_its_family_with_a_meaning(sw3, family):
    err = e.sw3_error(sw3, "read base message", device="idcard", port="/dev/ttyUSB0")
    assert isinstance(err, family)
    assert not isinstance(err, TransportError)
    assert err.sw3 == sw3
    text = str(err)
    assert text.startswith("idcard on /dev/ttyUSB0: read base message: ")
    assert f"SW3 {sw3:02X}" in text and err.remedy in text
    assert "undocumented" not in text


def test_sam_faults_and_card_faults_are_told_apart():
    assert isinstance(e.sw3_error(0x60, "x"), e.SamFault)
    assert isinstance(e.sw3_error(0x41, "x"), e.CardReadError)
    assert isinstance(e.sw3_error(0x31, "x"), e.CardAuthenticationError)
    assert isinstance(e.sw3_error(0x80, "x"), e.CardNotFound)
    assert "undocumented" in str(e.sw3_error(0x55, "x"))
