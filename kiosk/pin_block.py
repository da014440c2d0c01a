"""Online PIN blocks: ISO 9564 format 0 (ANSI X9.8, with PAN) encrypted with SM4 under the terminal key.

SM4 has a 16-byte block, so the format-0 fields are widened the way Chinese PIN pads do it:
PIN field = 0 + length + PIN digits, padded with F to 32 nibbles; PAN field = 20 zero nibbles +
the 12 rightmost PAN digits excluding the check digit; block = PIN field XOR PAN field, then one
SM4-ECB block under the key.

The PIN lives only in local variables of these functions; nothing here logs, stores or returns it
except `check_pin_block`, which answers True/False.
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


def encrypt_pin_block(pin: str, pan: str, key_hex: str) -> bytes:
    """The 16-byte encrypted PIN block the kiosk sends to the host (field 52)."""
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise PinBlockError("PIN must be 4 to 12 digits")
    pin_field = bytes.fromhex(f"0{len(pin):X}{pin}".ljust(32, "F"))
    clear = bytes(a ^ b for a, b in zip(pin_field, _pan_field(pan)))
    return _sm4(key_hex, clear, decrypt=False)


def check_pin_block(block: bytes, pan: str, key_hex: str, verify: "PinVerifier") -> bool:
    """Decrypt a block on the host side and hand the PIN to `verify` (e.g. a hash comparison).

    Raises PinBlockError when the block is not a well-formed format-0 block for this PAN (wrong
    key or wrong card): that is a malformed request, not a wrong PIN.
    """
    if len(block) != BLOCK_BYTES:
        raise PinBlockError(f"PIN block must be {BLOCK_BYTES} bytes")
    clear = bytes(a ^ b for a, b in zip(_sm4(key_hex, block, decrypt=True), _pan_field(pan)))
    nibbles = clear.hex().upper()
    length = int(nibbles[1], 16)
    if nibbles[0] != "0" or not 4 <= length <= 12:
        raise PinBlockError("PIN block is not ISO 9564 format 0 (wrong key or card number)")
    pin, filler = nibbles[2:2 + length], nibbles[2 + length:]
    if not pin.isdigit() or filler != "F" * len(filler):
        raise PinBlockError("PIN block is not ISO 9564 format 0 (wrong key or card number)")
    return bool(verify(pin))


class PinVerifier:
    """Checks a PIN against a salted hash; the hash is what the host stores, never the PIN."""

    def __init__(self, pin_hash: str, salt: str):
        self._hash = pin_hash
        self._salt = salt

    def __call__(self, pin: str) -> bool:
        return hmac.compare_digest(pin_hash(pin, self._salt), self._hash)

    def __repr__(self) -> str:
        return "PinVerifier(<hash>)"


def pin_hash(pin: str, salt: str) -> str:
    """A slow salted hash of a PIN (what the sandbox bank stores instead of the PIN)."""
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), 2000).hex()
