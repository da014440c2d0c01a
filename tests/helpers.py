"""Helpers shared by every test folder."""
from __future__ import annotations

import time


def wait_for(predicate, timeout=5.0, step=0.01):
    """Poll `predicate` until it is true or `timeout` seconds pass; return whether it became true."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


def pin(text: str) -> bytearray:
    """Invented PIN digits as the keypad hands them to the PIN block: digit values, not a str."""
    return bytearray(int(c) for c in text)


def pin_verified(host, pan, key_hex, digits="123456"):
    """The host's authorisation reference for a correct PIN of `pan` (a transfer needs it)."""
    from kiosk.pin_block import encrypt_pin_block
    result = host.verify_pin(pan, encrypt_pin_block(pin(digits), pan, key_hex))
    assert result.ok and result.auth_ref, result
    return result.auth_ref


class MemoryBound:
    """For fuzz tests: `with bound.example():` fails if one example's traced allocations peak
    above `limit` bytes (tracemalloc runs for the whole test, all threads included)."""

    def __init__(self, limit: int):
        self.limit = limit

    def example(self):
        import contextlib
        import tracemalloc

        @contextlib.contextmanager
        def measured():
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            yield
            grown = tracemalloc.get_traced_memory()[1] - base
            assert grown < self.limit, f"one input took {grown:,} bytes (bound {self.limit:,})"
        return measured()
