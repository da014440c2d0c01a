"""Online PIN blocks: ISO 9564 format 0 (ANSI X9.8, with PAN) encrypted with SM4 under the terminal key.

SM4 has a 16-byte block, so the format-0 fields are widened the way Chinese PIN pads do it:
PIN field = 0 + length + PIN digits, padded with F to 32 nibbles; PAN field = 20 zero nibbles +
the 12 rightmost PAN digits excluding the check digit; block = PIN field XOR PAN field, then one
SM4-ECB block under the key.

The kiosk's PIN lives in a `PinDigits` buffer until the block is built, and the clear block in
bytearrays zeroed at once; nothing here logs, stores or returns the PIN except
`check_pin_block`, which answers True/False.
"""
from __future__ import annotations

import hashlib
import hmac
import logging

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

log = logging.getLogger(__name__)

BLOCK_BYTES = 16


class PinBlockError(ValueError):
    """The PIN, PAN or key cannot make (or the block does not hold) a valid PIN block."""


def _key(key_hex: str) -> bytes:
    try:
        key = bytes.fromhex(key_hex)
    except ValueError as exc:
        raise PinBlockError("terminal key is not hex: set host.terminal_key_hex") from exc
    if len(key) != 16:
        raise PinBlockError("terminal key must be 16 bytes (32 hex digits): set host.terminal_key_hex")
    return key


def _pan_field(pan: str) -> bytes:
    digits = pan.strip()
    if not digits.isdigit() or len(digits) < 13:
        raise PinBlockError("card number must be 13 to 19 digits")
    return bytes.fromhex("0" * 20 + digits[-13:-1])


def _sm4(key_hex: str, data: bytes, *, decrypt: bool) -> bytes:
    cipher = Cipher(algorithms.SM4(_key(key_hex)), modes.ECB())
    op = cipher.decryptor() if decrypt else cipher.encryptor()
    return op.update(data) + op.finalize()


class PinDigits:
    """The PIN as the customer types it: digit values (0-9) in a fixed-size buffer, never a str,
    zeroed as soon as the PIN block is built. The buffer never grows, so no resize leaves an
    old copy of the digits behind in freed memory."""

    __slots__ = ("_buffer", "_length")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, capacity: int = 12):
        self._buffer = bytearray(capacity)
        self._length = 0

    def append(self, digit: int) -> None:
        if not 0 <= digit <= 9 or self._length >= len(self._buffer):
            raise PinBlockError("PIN must be 4 to 12 digits")
        self._buffer[self._length] = digit
        self._length += 1

    def backspace(self) -> None:
        if self._length:
            self._length -= 1
            self._buffer[self._length] = 0

    def clear(self) -> None:
        """Zero every byte of the buffer."""
        self._buffer[:] = bytes(len(self._buffer))
        self._length = 0

    def view(self) -> memoryview:
        """The digits typed so far, without copying them."""
        return memoryview(self._buffer)[:self._length]

    def __len__(self) -> int:
        return self._length

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, PinDigits) and self._length == other._length
                and hmac.compare_digest(self.view(), other.view()))

    def __repr__(self) -> str:
        return f"PinDigits(<{self._length} digits>)"


def _nibble(block: bytes | bytearray, index: int) -> int:
    byte = block[index // 2]
    return byte >> 4 if index % 2 == 0 else byte & 0x0F


def encrypt_pin_block(digits, pan: str, key_hex: str) -> bytes:
    """The 16-byte encrypted PIN block the kiosk sends to the host (field 52).

    `digits` is a bytes-like buffer of digit values (`PinDigits.view()`), never a str: the
    clear block is built in a bytearray that is zeroed before this returns."""
    if isinstance(digits, str):
        raise TypeError("PIN digits come in a buffer of digit values, never in a str")
    length = len(digits)
    if not 4 <= length <= 12 or any(d > 9 for d in digits):
        raise PinBlockError("PIN must be 4 to 12 digits")
    clear = bytearray(b"\xff" * BLOCK_BYTES)
    try:
        clear[0] = length        # nibbles: 0 (format 0), length, then the digits, F filler
        for i, digit in enumerate(digits):
            index = 2 + i
            keep = 0x0F if index % 2 == 0 else 0xF0
            clear[index // 2] = (clear[index // 2] & keep) | (
                digit << 4 if index % 2 == 0 else digit)
        for i, mask in enumerate(_pan_field(pan)):
            clear[i] ^= mask
        return _sm4(key_hex, clear, decrypt=False)
    finally:
        clear[:] = bytes(BLOCK_BYTES)


def check_pin_block(block: bytes, pan: str, key_hex: str, verify: "PinVerifier") -> bool:
    """Decrypt a block on the host side and hand the PIN digits to `verify` (e.g. a hash
    comparison), in a buffer zeroed afterwards.

    Raises PinBlockError when the block is not a well-formed format-0 block for this PAN (wrong
    key or wrong card): that is a malformed request, not a wrong PIN.
    """
    if len(block) != BLOCK_BYTES:
        raise PinBlockError(f"PIN block must be {BLOCK_BYTES} bytes")
    clear = bytearray(_sm4(key_hex, block, decrypt=True))
    digits = bytearray(12)
    try:
        for i, mask in enumerate(_pan_field(pan)):
            clear[i] ^= mask
        length = _nibble(clear, 1)
        if _nibble(clear, 0) != 0 or not 4 <= length <= 12:
            raise PinBlockError("PIN block is not ISO 9564 format 0 (wrong key or card number)")
        for i in range(length):
            digits[i] = _nibble(clear, 2 + i)
        if any(d > 9 for d in digits) or any(_nibble(clear, i) != 0x0F
                                             for i in range(2 + length, 2 * BLOCK_BYTES)):
            raise PinBlockError("PIN block is not ISO 9564 format 0 (wrong key or card number)")
        return bool(verify(memoryview(digits)[:length]))
    finally:
        clear[:] = bytes(len(clear))
        digits[:] = bytes(len(digits))


class PinVerifier:
    """Checks a PIN against a salted hash; the hash is what the host stores, never the PIN."""

    def __init__(self, pin_hash: str, salt: str):
        self._hash = pin_hash
        self._salt = salt

    def __call__(self, pin) -> bool:
        return hmac.compare_digest(pin_hash(pin, self._salt), self._hash)

    def __repr__(self) -> str:
        return "PinVerifier(<hash>)"


def pin_hash(pin, salt: str) -> str:
    """A slow salted hash of a PIN (what the sandbox bank stores instead of the PIN): `pin` is a
    buffer of digit values, or a str when the sandbox seeds its invented customers."""
    secret = pin.encode() if isinstance(pin, str) else bytearray(0x30 + d for d in pin)
    try:
        return hashlib.pbkdf2_hmac("sha256", secret, salt.encode(), 2000).hex()
    finally:
        if isinstance(secret, bytearray):
            secret[:] = bytes(len(secret))
