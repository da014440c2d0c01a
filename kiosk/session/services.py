"""The parts of the kiosk a session uses; each may be absent until its engineer lands it.

`Services` is handed to the session by the composition root (kiosk.core.KioskCore). A flow
that needs a missing part shows a clear fault instead of failing half-way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .failures import UnavailableError, unavailable

if TYPE_CHECKING:  # types only: the session never imports the parts it is handed
    from ..alerts.center import AlertCenter
    from ..device_manager import DeviceManager
    from ..host.link import HostLink
    from ..journal import Journal
    from ..print_queue import PrintQueue
    from ..technician_mode import TechnicianDesk
    from ..transfers import TransferService
    from .ticket_queue import TicketQueue


@dataclass
class Services:
    host: HostLink | None = None               # the bank (sandbox or ISO 8583), journaled
    devices: DeviceManager | None = None       # device(name) -> driver, statuses()
    journal: Journal | None = None             # record(kind, **fields)
    printing: PrintQueue | None = None         # persisted print jobs to the receipt printer
    alerts: AlertCenter | None = None          # help requests to staff
    transfers: TransferService | None = None   # crash-safe transfers
    tickets: TicketQueue | None = None         # the branch queue's numbers
    technician: TechnicianDesk | None = None   # technician mode (card, corner gesture, PIN)

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


def host(session: _HasServices) -> HostLink:
    """The bank's host link, or a clear fault when it is not there."""
    if session.services.host is None:
        raise UnavailableError("no host link", "host_unavailable")
    return session.services.host
