"""What the console page shows, and the change feed its live updates follow.

Every change bumps the feed's version with the key (kiosk id) that changed, so a browser that
has seen version N is sent only the kiosks changed since, not the whole fleet.
"""
from __future__ import annotations

import collections
import threading
from typing import Any, Callable, Protocol

from drivers.subscribers import Subscribers

CHANGE_LOG = 20_000
EVERYTHING = "*"


class ChangeFeed:
    """A version number that goes up on every change, with what changed at each version."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.version = 0
        self._log: collections.deque[tuple[int, str]] = collections.deque(maxlen=CHANGE_LOG)
        self._listeners: Subscribers[Callable[[], None]] = Subscribers()

    def bump(self, key: str = EVERYTHING) -> None:
        with self._cond:
            self.version += 1
            self._log.append((self.version, key))
            self._cond.notify_all()
        for listener in self._listeners.snapshot():
            listener()

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` (from the changing thread) after every bump; returns an undo."""
        return self._listeners.add(listener)

    def changed_since(self, seen: int) -> tuple[int, set[str] | None]:
        """(version now, keys changed after `seen`); None when only a full snapshot will do."""
        with self._cond:
            if seen == self.version:
                return seen, set()
            if seen < 0 or seen > self.version or not self._log or self._log[0][0] > seen + 1:
                return self.version, None
            keys = {key for version, key in self._log if version > seen}
            return self.version, None if EVERYTHING in keys else keys

    def wait(self, seen: int, timeout: float) -> int:
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen, timeout)
            return self.version


class ConsoleSource(Protocol):
    feed: ChangeFeed

    def snapshot(self, shows: Callable[[str], bool] | None = None,
                 limit: int | None = None) -> dict[str, Any]:
        """{"kiosks": [kiosk...], "history": [...], "broker": {"connected": bool, ...}}, at
        least the kiosks of the branches `shows` accepts (all without it); with `limit`, at
        least those needing attention and the first `limit` healthy ones, and then `total`
        (how many the view holds) when it left some out (kiosk.console.views)."""

    def kiosk(self, kiosk_id: str) -> dict[str, Any] | None:
        """One kiosk as in the snapshot, or None when it is gone."""

    def acknowledge(self, kiosk: str, alert_id: str, by: str) -> bool:
        """Ask the kiosk to mark the alert acknowledged; False when it is unknown."""

    def resolve(self, kiosk: str, alert_id: str, by: str) -> bool:
        """Close a help request or held transfer by hand."""

    def decide(self, kiosk: str, alert_id: str, approve: bool, by: str, reason: str) -> bool:
        """Approve or reject a held transfer with the reason staff gave."""
