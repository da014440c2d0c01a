"""ISO 9564 format-0 PIN blocks under SM4, checked against published values."""
from __future__ import annotations

import logging

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kiosk.pin_block import (PinBlockError, PinDigits, PinVerifier, check_pin_block,
                             encrypt_pin_block, pin_hash)

from tests.harness import pin

KEY = "0123456789ABCDEFFEDCBA9876543210"   # the SM4 standard's example key: test use only


def sm4_decrypt(block: bytes) -> bytes:
    dec = Cipher(algorithms.SM4(bytes.fromhex(KEY)), modes.ECB()).decryptor()
    return dec.update(block) + dec.finalize()


def test_sm4_is_the_standard_cipher():
    # GB/T 32907-2016 example 1: plaintext = key -> 681EDF34D206965E86B3E94F536E4246
    enc = Cipher(algorithms.SM4(bytes.fromhex(KEY)), modes.ECB()).encryptor()
    assert (enc.update(bytes.fromhex(KEY)) + enc.finalize()).hex().upper() == \
        "681EDF34D206965E86B3E94F536E4246"


def test_clear_block_is_pin_field_xor_pan_field():
    # Published example: PIN 123654, PAN 6230606601007726888 (16-byte ANSI X9.8 for SM4).
    block = encrypt_pin_block(pin("123654"), "6230606601007726888", KEY)
    assert sm4_decrypt(block).hex().upper() == "06123654FFFFFFFFFFFF99FEFF88D977"


def test_host_accepts_right_pin_and_refuses_wrong_one():
    pan = "6222020000000000018"
    verifier = PinVerifier(pin_hash("123456", "salt"), "salt")
    assert check_pin_block(encrypt_pin_block(pin("123456"), pan, KEY), pan, KEY, verifier)
    assert not check_pin_block(encrypt_pin_block(pin("123457"), pan, KEY), pan, KEY, verifier)


def test_block_for_another_card_or_key_is_malformed_not_a_wrong_pin():
    block = encrypt_pin_block(pin("123456"), "6222020000000000018", KEY)
    verifier = PinVerifier(pin_hash("123456", "s"), "s")
    with pytest.raises(PinBlockError):
        check_pin_block(block, "6222020000000000018", "00112233445566778899AABBCCDDEEFF", verifier)
    with pytest.raises(PinBlockError):
        check_pin_block(block[:8], "6222020000000000018", KEY, verifier)


@pytest.mark.parametrize("digits", [pin("123"), pin("1234567890123"), bytearray([1, 2, 10, 4, 5, 6]),
                                    bytearray()])
def test_bad_pins_refused(digits):
    with pytest.raises(PinBlockError):
        encrypt_pin_block(digits, "6222020000000000018", KEY)


def test_a_pin_in_a_str_is_refused():
    """The PIN never lives in an immutable str that cannot be wiped."""
    with pytest.raises(TypeError):
        encrypt_pin_block("123456", "6222020000000000018", KEY)


def test_the_buffers_are_zeroed_and_the_typed_digits_can_be_wiped():
    typed = PinDigits()
    for digit in (1, 2, 3, 6, 5, 4):
        typed.append(digit)
    raw = typed.view().obj
    block = encrypt_pin_block(typed.view(), "6230606601007726888", KEY)
    assert sm4_decrypt(block).hex().upper() == "06123654FFFFFFFFFFFF99FEFF88D977"
    typed.clear()
    assert len(typed) == 0 and raw == bytearray(len(raw)) and "123654" not in repr(typed)
    seen = []
    check_pin_block(block, "6230606601007726888", KEY, lambda d: seen.append(d) or True)
    assert seen[0].obj == bytearray(12)   # the host's copy of the digits is zeroed too


def test_pin_never_appears_in_logs_or_reprs(caplog, host, config):
    caplog.set_level(logging.DEBUG)
    pan = "6222020000000000018"
    verifier = PinVerifier(pin_hash("987654", "salt"), "salt")
    assert "987654" not in repr(verifier)
    host.verify_pin(pan, encrypt_pin_block(pin("987654"), pan, config.host.terminal_key_hex))
    host.verify_pin(pan, encrypt_pin_block(pin("123456"), pan, config.host.terminal_key_hex))
    text = caplog.text
    assert "PIN check" in text
    assert "987654" not in text and "123456" not in text and pan not in text
