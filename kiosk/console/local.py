"""The console's view of the kiosk it runs on: the AlertCenter plus live device statuses, read
from where they are held (the DeviceManager's `statuses`) whenever the page asks.

Staff's remote actions (out of service and back, a self-test, a diagnostics bundle) take the
fleet's path without the broker: the request is followed by the same RemoteRequests (pending,
then the kiosk's answer, audited by the console), and the command is carried out by the kiosk's
one RemoteActions, the object that carries out the fleet's commands too."""
from __future__ import annotations

import time
from typing import Any, Callable

from drivers.base import StatusChanged

from ..alerts import AlertCenter
from ..events import EventBus
from ..fleet.remote_requests import RemoteRequests, command_payload
from ..version import kiosk_version
from .feed import ChangeFeed


class LocalSource:
    def __init__(self, center: AlertCenter, *, bus: EventBus | None = None,
                 statuses: Callable[[], dict[str, dict[str, str]]] | None = None,
                 history_limit: int = 200, decisions: Any | None = None,
                 config_digest: str = "", actions: Any | None = None,
                 command_timeout_s: float = 120.0, clock: Callable[[], float] = time.time):
        self.center = center
        self.config_digest = config_digest
        self.decisions = decisions  # kiosk.console.held.HeldDecisions when transfers run here
        self.actions = actions   # kiosk.fleet.remote_actions.RemoteActions: remote actions here
        self.remote_requests = RemoteRequests(clock, command_timeout_s)
        self._service = "inService"   # "outOfService" while staff or a technician hold it
        self._version, self._started_at = kiosk_version(), time.time()
        self.feed = ChangeFeed()
        self._statuses = statuses or (lambda: {})
        self._history_limit = history_limit
        self._unsubscribe = [center.subscribe(lambda change: self.feed.bump(center.kiosk_id))]
        if bus is not None:
            from ..technician_mode import ServiceModeChanged
            self._unsubscribe.append(bus.subscribe(self._on_status, StatusChanged))
            self._unsubscribe.append(bus.subscribe(self._on_service_mode, ServiceModeChanged))

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def _on_status(self, event: StatusChanged) -> None:
        self.feed.bump(self.center.kiosk_id)  # the page asks again and reads the new status

    def _on_service_mode(self, event: Any) -> None:
        self._service = "inService" if event.serving else "outOfService"
        self.feed.bump(self.center.kiosk_id)

    def kiosk(self, kiosk_id: str) -> dict[str, Any] | None:
        return self._kiosk() if kiosk_id == self.center.kiosk_id else None

    def snapshot(self, shows: Callable[[str], bool] | None = None,
                 limit: int | None = None) -> dict[str, Any]:
        return {"kiosks": [self._kiosk()], "history": self.history(),
                "broker": self.broker_state()}   # one kiosk: the view filters it

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
                "config_digest": self.config_digest, "service": self._service,
                "alerts": [{**a.to_dict(), "pending": "", "command": ""}
                           for a in self.center.active()],
                "actions": self.remote_requests.of(self.center.kiosk_id)}

    def acknowledge(self, kiosk: str, alert_id: str, by: str) -> bool:
        return kiosk == self.center.kiosk_id and \
            self.center.acknowledge(alert_id, by) is not None

    def decide(self, kiosk: str, alert_id: str, approve: bool, by: str, reason: str) -> bool:
        return kiosk == self.center.kiosk_id and self.decisions is not None and \
            self.decisions.decide(alert_id, approve, by, reason)

    def resolve(self, kiosk: str, alert_id: str, by: str) -> bool:
        return kiosk == self.center.kiosk_id and self.center.resolve(alert_id, by) is not None

    def remote(self, kiosk: str, action: str, by: str, device: str = "",
               reason: str = "") -> dict[str, Any] | None:
        """Carry out a remote action here; the request, pending until the kiosk answers, or
        None when this kiosk has no remote actions (or it is another kiosk)."""
        if kiosk != self.center.kiosk_id or self.actions is None:
            return None
        request = self.remote_requests.add(kiosk, self.center.branch, action, by, device,
                                           reason)
        self.feed.bump(kiosk)
        self.actions.handle(command_payload(request), reply=self._answered)
        return request

    def _answered(self, answer: dict[str, Any]) -> None:
        if self.remote_requests.answered(self.center.kiosk_id, answer) is not None:
            self.feed.bump(self.center.kiosk_id)

    def expire_pending(self) -> None:
        """Requests never answered within the timeout show failed (the console calls this)."""
        for kiosk in self.remote_requests.expire():
            self.feed.bump(kiosk)
