"""Login throttling: per account and per address, a dummy hash for unknown users (so user names
do not leak by timing) and a cap on concurrent password hashing (scrypt takes 16 MiB each).
"""
from __future__ import annotations

import asyncio
import collections
import threading
import time
from typing import Callable

from .passwords import hash_password, verify_password


class Busy(Exception):
    """Too many logins are being checked at once: try again in a moment."""


class LoginGuard:
    def __init__(self, *, account_failures: int = 5, address_failures: int = 20,
                 window_s: float = 900.0, max_hashing: int = 2, max_waiting: int = 8,
                 clock: Callable[[], float] = time.monotonic):
        self.account_failures = account_failures
        self.address_failures = address_failures
        self.window_s = window_s
        self.max_waiting = max_waiting
        self._clock = clock
        self._failures: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()
        self._hashing = asyncio.Semaphore(max_hashing)
        self._waiting = 0
        self._dummy = hash_password("dummy password for unknown users")
        self.hashes = 0          # every check, dummy included (tests count them)
        self.peak_hashing = 0
        self._running = 0

    def retry_after(self, user: str, address: str) -> float:
        """Seconds until this account and address may try again; 0 when they may now."""
        now = self._clock()
        with self._lock:
            waits = [self._wait(f"user:{user}", self.account_failures, now),
                     self._wait(f"addr:{address}", self.address_failures, now)]
        return max(waits)

    def _wait(self, key: str, limit: int, now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times[0] + self.window_s - now if len(times) >= limit else 0.0

    def failed(self, user: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (f"user:{user}", f"addr:{address}"):
                self._failures.setdefault(key, collections.deque(maxlen=1000)).append(now)

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{user}", None)

    async def verify(self, password: str, stored: str | None) -> bool:
        """Check in a worker thread, at most `max_hashing` at once; Busy when the queue is full."""
        if self._waiting >= self.max_waiting:
            raise Busy()
        self._waiting += 1
        try:
            async with self._hashing:
                self._running += 1
                self.peak_hashing = max(self.peak_hashing, self._running)
                self.hashes += 1
                try:
                    ok = await asyncio.to_thread(verify_password, password[:256],
                                                 stored or self._dummy)
                finally:
                    self._running -= 1
        finally:
            self._waiting -= 1
        return ok and stored is not None
