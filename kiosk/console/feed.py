"""What the console page shows, and the version counter its live updates wait on."""
from __future__ import annotations

import threading
from typing import Any, Protocol


class ChangeFeed:
    """A version number that goes up on every change; readers wait for it to pass theirs."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.version = 0

    def bump(self) -> None:
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen, timeout)
            return self.version


class ConsoleSource(Protocol):
    feed: ChangeFeed

    def snapshot(self) -> dict[str, Any]:
        """{"kiosks": [{"kiosk", "branch", "state", "devices", "alerts"}], "history": [...]}"""

    def acknowledge(self, kiosk: str, alert_id: str, by: str) -> bool:
        """Ask the kiosk to mark the alert acknowledged; False when it is unknown."""

    def resolve(self, kiosk: str, alert_id: str, by: str) -> bool:
        """Close a help request or held transfer by hand."""
