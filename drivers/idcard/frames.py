"""Frame codec of the ID card reader's serial SAM protocol.

    host -> reader:  AA AA AA 96 69 | LEN_H LEN_L | CMD PARA [data] | CHK
    reader -> host:  AA AA AA 96 69 | LEN_H LEN_L | SW1 SW2 SW3 [data] | CHK

LEN (big-endian) counts every byte after itself, CHK included; CHK is the XOR of LEN_H through
the last data byte. Real lines carry stray bytes, so the decoder never assumes alignment: it
searches for the preamble and, after a corrupt frame, searches again from the next byte.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import reduce

from .errors import SW3_CARD_FOUND, SW3_OK, FrameError

PREAMBLE = b"\xAA\xAA\xAA\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
MIN_LEN = 3            # command: CMD PARA CHK
MAX_LEN = 0x0A00       # base message + fingerprint reply is 0x090A; anything longer is noise


@dataclass(frozen=True)
class Command:
    cmd: int
    para: int
    label: str
    reply_size: int = 32  # most a success reply can be, for timeouts scaled to the baud rate

    def frame(self, data: bytes = b"") -> bytes:
        return build_frame(bytes((self.cmd, self.para)) + data)


SAM_STATUS = Command(0x11, 0xFF, "SAM status")
SAM_ID = Command(0x12, 0xFF, "get SAM ID")
SAM_RESET = Command(0x10, 0xFF, "reset SAM")
FIND_CARD = Command(0x20, 0x01, "find card")
SELECT_CARD = Command(0x20, 0x02, "select card")
READ_BASE = Command(0x30, 0x01, "read base message", 1295)
READ_BASE_FINGERPRINT = Command(0x30, 0x10, "read base message with fingerprint", 2321)
READ_EXTRA_ADDRESS = Command(0x30, 0x03, "read extra address", 81)
COMMANDS = {(c.cmd, c.para): c for c in (SAM_STATUS, SAM_ID, SAM_RESET, FIND_CARD, SELECT_CARD,
                                          READ_BASE, READ_BASE_FINGERPRINT, READ_EXTRA_ADDRESS)}


@dataclass(frozen=True)
class Reply:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.sw3 in (SW3_OK, SW3_CARD_FOUND)


def checksum(data: bytes) -> int:
    return reduce(lambda a, b: a ^ b, data, 0)


def build_frame(payload: bytes) -> bytes:
    """Frame a payload (CMD PARA data, or SW1 SW2 SW3 data)."""
    body = struct.pack(">H", len(payload) + 1) + payload
    return PREAMBLE + body + bytes((checksum(body),))


def build_reply(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    return build_frame(bytes((sw1, sw2, sw3)) + data)


def parse_reply(payload: bytes) -> Reply:
    if len(payload) < 3:
        raise FrameError(f"reply too short to hold a status ({len(payload)} bytes)")
    return Reply(payload[0], payload[1], payload[2], bytes(payload[3:]))


class FrameDecoder:
    """Turns a byte stream into frame payloads; feed bytes, then take frames one by one.

    `next_payload()` returns the next payload, None when more bytes are needed, and raises
    FrameError once for each corrupt frame it throws away (so the caller may retry at once).
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self.discarded = 0

    def feed(self, data: bytes) -> None:
        self._buf += data

    def needed(self) -> int:
        """How many more bytes the frame being received needs (at least 1)."""
        start = self._buf.find(PREAMBLE)
        if start < 0:
            return HEADER_LEN
        if len(self._buf) - start < HEADER_LEN:
            return start + HEADER_LEN - len(self._buf)
        (length,) = struct.unpack_from(">H", self._buf, start + len(PREAMBLE))
        if not MIN_LEN <= length <= MAX_LEN:
            return 1
        return max(1, start + HEADER_LEN + length - len(self._buf))

    def _drop(self, count: int) -> None:
        self.discarded += count
        del self._buf[:count]

    def next_payload(self) -> bytes | None:
        start = self._buf.find(PREAMBLE)
        if start < 0:
            # keep a tail that may be the start of a preamble split across reads
            keep = len(PREAMBLE) - 1
            if len(self._buf) > keep:
                self._drop(len(self._buf) - keep)
            return None
        if start:
            self._drop(start)
        if len(self._buf) < HEADER_LEN:
            return None
        (length,) = struct.unpack_from(">H", self._buf, len(PREAMBLE))
        if not MIN_LEN <= length <= MAX_LEN:
            self._drop(1)
            raise FrameError(f"impossible frame length {length}")
        end = HEADER_LEN + length
        if len(self._buf) < end:
            return None
        body = bytes(self._buf[len(PREAMBLE):end - 1])
        chk = self._buf[end - 1]
        if checksum(body) != chk:
            self._drop(1)
            raise FrameError(f"checksum mismatch (got {chk:02X}, expected {checksum(body):02X})")
        self._buf[:end] = b""
        return body[2:]


def split_base_message(data: bytes, fingerprint: bool = False) -> tuple[bytes, bytes, bytes]:
    """Split read-base data into (text, photo, fingerprint) using its length fields."""
    count = 3 if fingerprint else 2
    head = 2 * count
    if len(data) < head:
        raise FrameError(f"base message too short ({len(data)} bytes)")
    lengths = struct.unpack_from(f">{count}H", data)
    if head + sum(lengths) != len(data):
        raise FrameError(f"base message lengths {lengths} do not add up to {len(data) - head}")
    text_len, photo_len = lengths[0], lengths[1]
    text = data[head:head + text_len]
    photo = data[head + text_len:head + text_len + photo_len]
    finger = data[head + text_len + photo_len:] if fingerprint else b""
    return text, photo, finger


def join_base_message(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """The inverse of split_base_message (the emulator's side)."""
    if fingerprint is None:
        return struct.pack(">2H", len(text), len(photo)) + text + photo
    return struct.pack(">3H", len(text), len(photo), len(fingerprint)) + text + photo + fingerprint
