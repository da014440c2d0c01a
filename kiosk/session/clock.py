"""Time for the session: real monotonic time in production, a hand-moved clock in tests.

The session only ever asks `now()`; its timers fire when `Session.tick()` runs and finds a
deadline passed, so a test moves the clock and ticks instead of sleeping.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

Now = Callable[[], float]

system_now: Now = time.monotonic


class ManualClock:
    """A clock that only moves when told to: `clock()` is now, `clock.advance(s)` moves it."""

    def __init__(self, start: float = 1000.0):
        self._t = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        with self._lock:
            self._t += seconds
            return self._t
