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
