"""The console's view of the kiosk it runs on: the AlertCenter plus live device statuses, read
from where they are held (the DeviceManager's `statuses`) whenever the page asks."""
from __future__ import annotations

import time
from typing import Any, Callable

from drivers.base import StatusChanged

from ..alerts import AlertCenter
from ..events import EventBus
from ..version import kiosk_version
from .feed import ChangeFeed


class LocalSource:
    def __init__(self, center: AlertCenter, *, bus: EventBus | None = None,
                 statuses: Callable[[], dict[str, dict[str, str]]] | None = None,
                 history_limit: int = 200, decisions: Any | None = None,
                 config_digest: str = ""):
        self.center = center
        self.config_digest = config_digest
        self.decisions = decisions  # kiosk.console.held.HeldDecisions when transfers run here
        self._version, self._started_at = kiosk_version(), time.time()
        self.feed = ChangeFeed()
        self._statuses = statuses or (lambda: {})
        self._history_limit = history_limit
        self._unsubscribe = [center.subscribe(lambda change: self.feed.bump(center.kiosk_id))]
        if bus is not None:
            self._unsubscribe.append(bus.subscribe(self._on_status, StatusChanged))

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def _on_status(self, event: StatusChanged) -> None:
        self.feed.bump(self.center.kiosk_id)  # the page asks again and reads the new status

    def kiosk(self, kiosk_id: str) -> dict[str, Any] | None:
        return self._kiosk() if kiosk_id == self.center.kiosk_id else None

    def snapshot(self) -> dict[str, Any]:
        return {"kiosks": [self._kiosk()], "history": self.history(),
                "broker": self.broker_state()}

    def history(self) -> list[dict[str, Any]]:
        return [dict(a.to_dict(), kiosk=self.center.kiosk_id, branch=self.center.branch)
                for a in self.center.history(self._history_limit)]

    def broker_state(self) -> dict[str, Any]:
        return {"connected": True, "lost_at": None, "rejected": 0}

    def _kiosk(self) -> dict[str, Any]:
        devices = self._statuses()
        return {"kiosk": self.center.kiosk_id, "branch": self.center.branch, "state": "online",
                "since": None, "reason": "", "devices": devices, "at": time.time(),
                "version": self._version, "started_at": self._started_at,
                "config_digest": self.config_digest,
                "alerts": [{**a.to_dict(), "pending": "", "command": ""}
                           for a in self.center.active()]}

    def acknowledge(self, kiosk: str, alert_id: str, by: str) -> bool:
        return kiosk == self.center.kiosk_id and \
            self.center.acknowledge(alert_id, by) is not None

    def decide(self, kiosk: str, alert_id: str, approve: bool, by: str, reason: str) -> bool:
        return kiosk == self.center.kiosk_id and self.decisions is not None and \
            self.decisions.decide(alert_id, approve, by, reason)

    def resolve(self, kiosk: str, alert_id: str, by: str) -> bool:
        return kiosk == self.center.kiosk_id and self.center.resolve(alert_id, by) is not None
