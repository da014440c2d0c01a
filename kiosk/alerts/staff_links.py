"""Everything that carries this kiosk's alerts to staff, started from the configuration:
the fleet publisher (MQTT), group notifications (WeCom/DingTalk), the local staff console, and
the device counters the technician panel shows.

    links = StaffLinks.start(config, alert_center, bus, device_manager.statuses)
    ...
    links.stop()
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from ..events import EventBus
from .center import AlertCenter

log = logging.getLogger(__name__)


@dataclass
class StaffLinks:
    fleet: Any | None = None      # kiosk.fleet.publisher.FleetPublisher
    notifier: Any | None = None   # kiosk.alerts.notify.StaffNotifier
    console: Any | None = None    # kiosk.console.server.ConsoleServer
    counters: Any | None = None   # kiosk.technician.DeviceCounters
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def start(cls, config: Any, center: AlertCenter, bus: EventBus,
              statuses: Callable[[], dict[str, dict[str, str]]],
              transfers: Any | None = None) -> "StaffLinks":
        from ..technician import DeviceCounters

        from ..console.held import HeldDecisions

        links = cls(counters=DeviceCounters())
        decisions = HeldDecisions(center, transfers, bus) if transfers is not None else None
        links.counters.attach(bus)
        links._closers.append(links.counters.detach)
        if config.fleet.enabled:
            links._start("fleet", lambda: links._fleet(config, center, bus, statuses, decisions))
        if config.notify.enabled:
            links._start("notifications", lambda: links._notify(config, center))
        if config.console.enabled:
            links._start("staff console",
                         lambda: links._console(config, center, bus, statuses, decisions))
        return links

    def stop(self) -> None:
        for close in reversed(self._closers):
            try:
                close()
            except Exception:
                log.exception("stopping a staff link failed")
        self._closers.clear()

    def _start(self, what: str, starter: Callable[[], None]) -> None:
        try:
            starter()
        except Exception:  # staff links must never keep the kiosk from serving customers
            log.exception("%s could not start: running without it", what)

    def _fleet(self, config: Any, center: AlertCenter, bus: EventBus,
               statuses: Callable[[], dict[str, dict[str, str]]], decisions: Any) -> None:
        from ..fleet.publisher import FleetPublisher

        self.fleet = FleetPublisher.from_config(center, config, statuses)
        self.fleet.decisions = decisions
        self.fleet.attach(bus)
        self.fleet.start()
        self._closers.append(self.fleet.stop)

    def _notify(self, config: Any, center: AlertCenter) -> None:
        from .notify import StaffNotifier

        self.notifier = StaffNotifier.from_config(config.notify)
        self.notifier.attach(center)
        self._closers.append(self.notifier.stop)

    def _console(self, config: Any, center: AlertCenter, bus: EventBus,
                 statuses: Callable[[], dict[str, dict[str, str]]], decisions: Any) -> None:
        from ..console.local import LocalSource
        from ..console.server import ConsoleServer

        source = LocalSource(center, bus=bus, statuses=statuses,
                             history_limit=config.console.history_limit, decisions=decisions)
        self.console = ConsoleServer.from_config(source, config)
        self.console.start()
        self._closers.append(source.close)
        self._closers.append(self.console.stop)
