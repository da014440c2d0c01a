"""The composition root: one `KioskCore(config)` builds and wires the kiosk's parts.

    core = KioskCore(config)
    core.start()              # devices open in the background; returns at once
    core.session.subscribe(render)
    ...
    core.stop()

Parts: EventBus, DeviceManager, host link, journal, print queue, alert center, transfer
service, ticket queue and the customer Session (with a ticker thread for its timers). A part
whose module is not installed, or that cannot start, is left out (None) with a log line; the
session then shows a clear fault for the services that need it.
"""
from __future__ import annotations

import importlib
import logging
import threading
from typing import Any, Callable

from .config import KioskConfig
from .device_manager import DeviceManager
from .events import EventBus
from .session.clock import Now, system_now
from .session.machine import Session
from .session.services import Services
from .session.ticket_queue import TicketQueue

log = logging.getLogger(__name__)

TICK_S = 0.25


def _optional(module: str, attr: str) -> Any | None:
    """A class from a module another part of the project provides, or None if it is absent."""
    try:
        found = getattr(importlib.import_module(module), attr, None)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            log.info("%s is not installed: running without it", module)
            return None
        raise
    if found is None:
        log.info("%s has no %s yet: running without it", module, attr)
    return found


class KioskCore:
    def __init__(self, config: KioskConfig, *, emulate: bool = True, now: Now = system_now,
                 tick_s: float = TICK_S):
        self.config = config
        self.bus = EventBus()
        self.devices = DeviceManager(config, self.bus, emulate=emulate)
        self.journal = self._build("journal", self._journal)
        self.host = self._build("host", self._host)
        self.alerts = self._build("alerts", self._alerts)
        self.printing = self._build("print queue", self._print_queue)
        self.transfers = self._build("transfers", self._transfers)
        self.tickets = TicketQueue()
        self.services = Services(host=self.host, devices=self.devices, journal=self.journal,
                                 printing=self.printing, alerts=self.alerts,
                                 transfers=self.transfers, tickets=self.tickets)
        self.session = Session(config, self.services, now=now)
        self.session.attach(self.bus)
        self._tick_s = tick_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._detach: list[Callable[[], None]] = []
        self.staff_links: Any | None = None  # fleet, notifications, console, device counters

    @property
    def wired(self) -> dict[str, bool]:
        """Which parts are present (for the report on start-up and `kiosk diag`)."""
        return {"journal": self.journal is not None, "host": self.host is not None,
                "alerts": self.alerts is not None, "print_queue": self.printing is not None,
                "transfers": self.transfers is not None}

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self.alerts is not None:  # before the devices, so no early fault is missed
            from .alerts.staff_links import StaffLinks
            self._detach.append(self.alerts.attach(self.bus))
            self.staff_links = StaffLinks.start(self.config, self.alerts, self.bus,
                                                self.devices.statuses)
            self._detach.append(self.staff_links.stop)
        self.devices.start()
        self._thread(self._tick_loop, "session-tick")
        if self.transfers is not None:
            self._thread(self._recover_transfers, "transfer-recovery")
        log.info("kiosk core started: %s", ", ".join(k for k, v in self.wired.items() if v))

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(3.0)
        for detach in self._detach:
            detach()
        self.session.close()
        self.devices.stop()
        for part in (self.transfers, self.host, self.alerts, self.journal):
            if part is not None and hasattr(part, "close"):
                try:
                    part.close()
                except Exception:
                    log.exception("closing %r failed", part)

    def __enter__(self) -> "KioskCore":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _thread(self, target: Callable[[], None], name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(t)
        t.start()

    def _tick_loop(self) -> None:
        while not self._stop.wait(self._tick_s):
            try:
                self.session.tick()
            except Exception:
                log.exception("session tick failed")

    def _recover_transfers(self) -> None:
        try:
            report = self.transfers.recover()
            log.info("transfer recovery: %s", report)
        except Exception:
            log.exception("transfer recovery failed: transfers stay closed")

    # -- builders ------------------------------------------------------------------------------
    def _build(self, what: str, builder: Callable[[], Any]) -> Any | None:
        try:
            return builder()
        except Exception:
            log.exception("%s could not start: running without it", what)
            return None

    def _journal(self) -> Any | None:
        cls = _optional("kiosk.journal", "Journal")
        if cls is None:
            return None
        self.config.path(self.config.journal.path).parent.mkdir(parents=True, exist_ok=True)
        return cls.from_config(self.config)

    def _host(self) -> Any | None:
        if self.config.host.backend == "sandbox":
            self.config.path(self.config.host.database).parent.mkdir(parents=True, exist_ok=True)
        factory = _optional("kiosk.host.factory", "open_host")
        if factory is not None:
            return factory(self.config)
        if self.config.host.backend != "sandbox":
            log.error("host backend %s is not installed", self.config.host.backend)
            return None
        cls = _optional("kiosk.host.sandbox", "SandboxBank")
        if cls is None:
            return None
        bank = cls.from_config(self.config)
        bank.seed()
        return bank

    def _alerts(self) -> Any | None:
        cls = _optional("kiosk.alerts.center", "AlertCenter")
        if cls is None:
            return None
        self.config.path(self.config.alerts.outbox).parent.mkdir(parents=True, exist_ok=True)
        return cls.from_config(self.config)

    def _print_queue(self) -> Any | None:
        cls = _optional("kiosk.print_queue", "PrintQueue")
        if cls is None or not self.config.devices.printer.enabled:
            return None
        return cls.from_config(self.config, lambda: self.devices.device("printer"),
                               self.bus.publish)

    def _transfers(self) -> Any | None:
        cls = _optional("kiosk.transfers", "TransferService")
        if cls is None or self.host is None or self.journal is None:
            return None
        self.config.path(self.config.host.state).parent.mkdir(parents=True, exist_ok=True)
        alerts = self.alerts

        def on_hold(held: Any) -> None:
            if alerts is not None:
                alerts.raise_held_transfer(held.ref, held.amount_fen,
                                           payee_masked=held.to_account_masked,
                                           account_masked=held.card_masked)

        return cls.from_config(self.config, self.host, self.journal, on_hold=on_hold)
