"""Command APDUs as pure byte builders, responses, and the T=0 exchange rules.

`exchange(raw, apdu)` sends one command through `raw` (bytes in, response bytes with SW out) and
follows the T=0 conventions PC/SC leaves to the application: 6Cxx -> resend with Le=xx,
61xx -> GET RESPONSE, chained until 9000 with every byte kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .card_errors import MalformedCardDataError

MAX_CHAINED = 64            # GET RESPONSE rounds for one command before we call it broken
MAX_RESPONSE = 64 * 1024

PSE = b"1PAY.SYS.DDF01"
PPSE = b"2PAY.SYS.DDF01"

SW_OK = 0x9000
SW_WARNING_BLOCKED = 0x6283
SW_FUNCTION_NOT_SUPPORTED = 0x6A81   # on SELECT: card blocked
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83
SW_DATA_NOT_FOUND = 0x6A88
SW_PIN_BLOCKED = (0x6983, 0x6984)
SW_CONDITIONS = 0x6985
SW_CLASS_NOT_SUPPORTED = 0x6E00


@dataclass(frozen=True)
class Response:
    data: bytes
    sw1: int
    sw2: int

    @property
    def sw(self) -> int:
        return (self.sw1 << 8) | self.sw2

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Response":
        raw = bytes(raw)
        if len(raw) < 2:
            raise MalformedCardDataError(f"response of {len(raw)} bytes has no status word")
        return cls(raw[:-2], raw[-2], raw[-1])


RawTransmit = Callable[[bytes], bytes]


# -- builders --------------------------------------------------------------------------------
def select_by_name(name: bytes, *, next_occurrence: bool = False) -> bytes:
    return bytes([0x00, 0xA4, 0x04, 0x02 if next_occurrence else 0x00, len(name)]) + name + b"\x00"


def read_record(sfi: int, record: int) -> bytes:
    if not 1 <= sfi <= 30 or not 1 <= record <= 255:
        raise ValueError(f"READ RECORD sfi {sfi} record {record} out of range")
    return bytes([0x00, 0xB2, record, (sfi << 3) | 0x04, 0x00])


def get_processing_options(pdol_data: bytes) -> bytes:
    body = b"\x83" + bytes([len(pdol_data)]) + pdol_data
    return bytes([0x80, 0xA8, 0x00, 0x00, len(body)]) + body + b"\x00"


def get_data(tag: str) -> bytes:
    raw = bytes.fromhex(tag).rjust(2, b"\x00")
    if len(raw) != 2:
        raise ValueError(f"GET DATA takes a 1 or 2 byte tag, not {tag}")
    return bytes([0x80, 0xCA, raw[0], raw[1], 0x00])


def get_response(length: int) -> bytes:
    return bytes([0x00, 0xC0, 0x00, 0x00, length & 0xFF])


def verify_plaintext_pin(pin: str) -> bytearray:
    """Offline plaintext PIN block `2L PP.. FF..` (8 bytes). The caller wipes it after use."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN has 4 to 12 digits")
    nibbles = f"2{len(pin):X}{pin}".ljust(16, "F")
    block = bytearray(bytes.fromhex(nibbles))
    apdu = bytearray([0x00, 0x20, 0x00, 0x80, 0x08]) + block
    for i in range(len(block)):
        block[i] = 0
    return apdu


def with_le(apdu: bytes, le: int) -> bytes:
    """The same command with its Le replaced (or added)."""
    if len(apdu) == 4:
        return apdu + bytes([le & 0xFF])
    if len(apdu) == 5:
        return apdu[:4] + bytes([le & 0xFF])
    lc = apdu[4]
    body_end = 5 + lc
    return apdu[:body_end] + bytes([le & 0xFF])


# -- T=0 exchange ------------------------------------------------------------------------------
def exchange(raw: RawTransmit, apdu: bytes) -> Response:
    """One command with the 6Cxx and 61xx rules applied; chained data is concatenated in full."""
    resp = Response.from_bytes(raw(apdu))
    if resp.sw1 == 0x6C:
        resp = Response.from_bytes(raw(with_le(apdu, resp.sw2)))
    data = bytearray(resp.data)
    rounds = 0
    while resp.sw1 == 0x61:
        rounds += 1
        if rounds > MAX_CHAINED or len(data) > MAX_RESPONSE:
            raise MalformedCardDataError(f"card chained more than {MAX_CHAINED} GET RESPONSEs")
        resp = Response.from_bytes(raw(get_response(resp.sw2)))
        if resp.sw1 == 0x6C:
            resp = Response.from_bytes(raw(get_response(resp.sw2)))
        data += resp.data
    return Response(bytes(data), resp.sw1, resp.sw2)
