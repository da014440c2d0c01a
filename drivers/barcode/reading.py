"""What every code reader shares, with no heavy imports: payload bytes to text, repeat filter."""
from __future__ import annotations

import threading
import time
from typing import Callable


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def bytes_to_text(data: bytes) -> str:
    """UTF-8 first (phones, our printer), then GB18030 (older Chinese encoders and scanners)."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


class RepeatFilter:
    """Collapses repeated reads of one code: a code held in view gives one event.

    A code counts as new again once it has not been seen for `window_s` seconds.
    """

    def __init__(self, window_s: float = 3.0, clock: Callable[[], float] = time.monotonic):
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def is_new(self, symbology: str, text: str) -> bool:
        now = self._clock()
        key = (symbology, text)
        with self._lock:
            last = self._last_seen.get(key)
            self._last_seen[key] = now
            if len(self._last_seen) > 256:
                cutoff = now - self.window_s
                self._last_seen = {k: t for k, t in self._last_seen.items() if t >= cutoff}
            return last is None or now - last > self.window_s

    def forget(self) -> None:
        with self._lock:
            self._last_seen.clear()
