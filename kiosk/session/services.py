"""The parts of the kiosk a session uses; each may be absent until its engineer lands it.

`Services` is handed to the session by the composition root (kiosk.core.KioskCore). A flow
that needs a missing part shows a clear fault instead of failing half-way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .faults import UnavailableError, unavailable


class DeviceSource(Protocol):
    def device(self, name: str) -> Any | None: ...


@dataclass
class Services:
    host: Any = None          # kiosk.host.link.HostLink
    devices: Any = None       # kiosk.device_manager.DeviceManager (device(name) -> driver)
    journal: Any = None       # kiosk.journal.Journal (record(kind, **fields))
    printing: Any = None      # kiosk.print_queue (documents to the receipt printer)
    alerts: Any = None        # kiosk.alerts (help requests to staff)
    transfers: Any = None     # kiosk.transfers (crash-safe transfer service)
    tickets: Any = None       # kiosk.session.ticket_queue.TicketQueue
    technician: Any = None    # kiosk.technician_mode.TechnicianDesk

    def device(self, name: str) -> Any | None:
        """The named device's driver; None when missing or marked out of service."""
        if self.devices is None or not self.serving(name):
            return None
        return self.devices.device(name)

    def serving(self, name: str) -> bool:
        serving = getattr(self.devices, "serving", None)
        return serving is None or serving(name)


class _HasServices(Protocol):
    services: Services


def require(session: _HasServices, device: str) -> Any:
    """The named device's driver, or a clear fault when it is not there."""
    driver = session.services.device(device)
    if driver is None:
        raise unavailable(device)
    return driver


def host(session: _HasServices) -> Any:
    """The bank's host link, or a clear fault when it is not there."""
    if session.services.host is None:
        raise UnavailableError("no host link", "host_unavailable")
    return session.services.host
