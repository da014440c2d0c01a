"""The composition root: one `KioskCore(config)` builds and wires the kiosk's parts.

    core = KioskCore(config)
    core.start()              # devices open in the background; returns at once
    core.session.subscribe(render)
    ...
    core.stop()

Parts: EventBus, DeviceManager, journal, host link (journaled), alert center, print queue,
transfer service (start-up recovery, reversal resends), ticket queue, technician mode
(kiosk.technician_mode) and the customer Session
(with a ticker thread for its timers), the host watch (host link, clock skew, reversal backlog
alerts) and the staff links (`StaffLinks`: fleet, notifications,
console, device counters); nothing else wires parts together. A part that cannot start (a locked database, say) is left
out (None) with a log line; the session then shows a clear fault for the services that need it.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from drivers.base import StatusChanged

from .alerts.center import AlertCenter
from .alerts.host_watch import HostWatch
from .alerts.signal_journal import journal_signals
from .alerts.signals import OperatorSignals
from .config import KioskConfig
from .datafiles import DataFileError
from .device_manager import DeviceManager
from .events import EventBus
from .host.factory import open_host
from .journal import Journal, attach_device_events, attach_print_jobs
from .print_queue import PrintQueue
from .session.clock import Now, system_now
from .session.machine import Session
from .session.services import Services
from .session.ticket_queue import TicketQueue
from .technician_mode import TechnicianDesk
from .transfers import TransferService

log = logging.getLogger(__name__)

TICK_S = 0.25
REVERSAL_RESEND_S = 30.0
DISK_CHECK_S = 60.0

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
        self.tickets = self._build("ticket queue", self._ticket_queue)
        self.technician = self._build("technician mode", self._technician)
        self.services = Services(host=self.host, devices=self.devices, journal=self.journal,
                                 printing=self.printing, alerts=self.alerts,
                                 transfers=self.transfers, tickets=self.tickets,
                                 technician=self.technician)
        self.session = Session(config, self.services, now=now)
        self.session.attach(self.bus)
        self._tick_s = tick_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._detach: list[Callable[[], None]] = []
        self.staff_links: Any | None = None  # fleet, notifications, console, device counters
        self.host_watch: HostWatch | None = None   # host link, clock skew, reversal backlog
        self.shield = self._build("privacy shield", self._shield)

    @property
    def wired(self) -> dict[str, bool]:
        """Which parts are present (for the report on start-up and `kiosk diag`)."""
        return {"journal": self.journal is not None, "host": self.host is not None,
                "alerts": self.alerts is not None, "print_queue": self.printing is not None,
                "transfers": self.transfers is not None}

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self.journal is not None:
            self._detach.append(attach_device_events(self.journal, self.bus))
            self._detach.append(attach_print_jobs(self.journal, self.bus))
        if self.alerts is not None:  # before the devices, so no early fault is missed
            self._detach.append(self.alerts.attach(self.bus))
            self.staff_links = StaffLinks.start(self.config, self.alerts, self.bus,
                                                self.devices.statuses, self.transfers,
                                                session=self.session, desk=self.technician)
            self._detach.append(self.staff_links.stop)
            if self.technician is not None:
                self.technician.counters = self.staff_links.counters
            signals = OperatorSignals(self.alerts, data_dir=self.config.data_dir)
            self._detach.append(self.bus.subscribe(signals.on_status, StatusChanged))
            self._thread(lambda: self._watch_signals(signals), "operator-signals")
            if self.journal is not None:
                self._detach.append(journal_signals(self.alerts, self.journal))
            if self.host is not None:
                self._watch_host()
        self.devices.start()
        if self.shield is not None:
            self._detach.append(self.session.subscribe(self.shield.on_state))
            self.shield.start()
            self._detach.append(self.shield.stop)
        self._thread(self._tick_loop, "session-tick")
        if self.transfers is not None:
            self._thread(self._transfer_upkeep, "transfer-upkeep")
        log.info("kiosk core started: %s", ", ".join(k for k, v in self.wired.items() if v))

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(3.0)
        for detach in self._detach:
            detach()
        self.session.close()
        self.devices.stop()
        for part in (self.transfers, self.host, self.alerts, self.journal, self.tickets):
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

    def _watch_signals(self, signals: OperatorSignals) -> None:
        """The journal's chain once at start-up, then the data disk now and then."""
        try:
            if self.journal is not None:
                signals.check_journal(self.journal)
        except Exception:
            log.exception("checking the journal's chain at start-up failed")
        while True:
            try:
                signals.check_disk()
            except Exception:
                log.exception("checking the data disk failed")
            if self._stop.wait(DISK_CHECK_S):
                return

    def _watch_host(self) -> None:
        """Host link, clock skew and reversal backlog alerts (kiosk.alerts.host_watch)."""
        backlog = self.transfers.reversal_backlog if self.transfers is not None else None
        self.host_watch = HostWatch.from_config(self.config, self.alerts, self.host,
                                                backlog=backlog)
        observers = getattr(self.host, "observers", None)
        if observers is not None:   # a JournaledHost: customers' exchanges count too
            observers.append(self.host_watch.on_exchange)
            self._detach.append(lambda: observers.remove(self.host_watch.on_exchange))
        self._thread(self._host_checks, "host-watch")

    def _host_checks(self) -> None:
        while True:
            try:
                self.host_watch.check()
            except Exception:
                log.exception("checking the bank host failed")
            if self._stop.wait(self.config.alerts.host_check_s):
                return

    def _transfer_upkeep(self) -> None:
        """Resolve every PENDING transfer at start-up, then resend due reversals now and then."""
        try:
            log.info("transfer recovery: %s", self.transfers.recover())
        except Exception:
            log.exception("transfer recovery failed: transfers stay closed")
        while not self._stop.wait(REVERSAL_RESEND_S):
            try:
                self.transfers.drain_reversals()
            except Exception:
                log.exception("resending reversals failed; trying again later")

    # -- builders ------------------------------------------------------------------------------
    def _shield(self) -> Any | None:
        """The privacy shield on the QR camera, where there is one and it is wanted."""
        section = self.config.shield
        if not (section.enabled and self.config.devices.camera.enabled):
            return None
        from drivers.barcode.faces import FaceCounter
        from .shield import OnlookerShield
        counter = FaceCounter(section.cascade, width=section.width,
                              near_ratio=section.near_ratio)

        def latest_frame() -> Any:
            camera = self.devices.device("camera")
            preview = camera.preview() if camera is not None else None
            return preview.image if preview is not None else None

        return OnlookerShield(self.session.send, latest_frame, counter.onlookers,
                              checks_per_s=section.checks_per_s)

    def _build(self, what: str, builder: Callable[[], Any]) -> Any | None:
        try:
            return builder()
        except DataFileError as exc:
            log.error("%s could not start: %s; running without it", what, exc)
            return None
        except Exception:
            log.exception("%s could not start: running without it", what)
            return None

    def _technician(self) -> TechnicianDesk:
        return TechnicianDesk.from_config(self.config, devices=self.devices, bus=self.bus,
                                          journal=self.journal, alerts=self.alerts)

    def _ticket_queue(self) -> TicketQueue:
        return TicketQueue(self.config.data_dir / "tickets.db", counters=self.config.kiosk.counters)

    def _journal(self) -> Journal:
        return Journal.from_config(self.config)

    def _host(self) -> Any:
        return open_host(self.config, self.journal)

    def _alerts(self) -> AlertCenter:
        return AlertCenter.from_config(self.config)

    def _print_queue(self) -> PrintQueue | None:
        if not self.config.devices.printer.enabled:
            return None
        return PrintQueue.from_config(self.config, lambda: self.devices.device("printer"),
                                      self.bus.publish)

    def _transfers(self) -> TransferService | None:
        if self.host is None or self.journal is None:
            return None
        alerts = self.alerts

        def on_hold(held: Any) -> None:
            if alerts is not None:
                alerts.raise_held_transfer(held.ref, held.amount_fen,
                                           payee_masked=held.to_account_masked,
                                           account_masked=held.card_masked)

        def on_flag(flag: Any) -> None:
            if alerts is not None:
                alerts.raise_risk_flag(flag.rule, flag.card_masked, flag.amount_fen, flag.detail)

        return TransferService.from_config(self.config, self.host, self.journal,
                                           on_hold=on_hold, on_flag=on_flag)


def kiosk_sends_notifications(config: Any) -> bool:
    """Whether this kiosk posts to the group robots itself; with a fleet the fleet service
    does it centrally (rate limited per robot), never each kiosk."""
    sent_by = config.notify.sent_by
    return sent_by == "kiosk" or (sent_by == "auto" and not config.fleet.enabled)


@dataclass
class StaffLinks:
    """Everything that carries this kiosk's alerts to staff, started from the configuration:
    the fleet publisher (MQTT), group notifications (WeCom/DingTalk), the local staff console,
    and the device counters the technician panel shows. Each starts alone: one that cannot
    start is logged and left out."""
    fleet: Any | None = None      # kiosk.fleet.publisher.FleetPublisher
    notifier: Any | None = None   # kiosk.alerts.notify.StaffNotifier
    console: Any | None = None    # kiosk.console.server.ConsoleServer
    counters: Any | None = None   # kiosk.technician.DeviceCounters
    # staff's remote actions (out of service, self-test, bundle) asked by the fleet's console
    # or this kiosk's own: one kiosk.fleet.remote_actions.RemoteActions for both
    remote: Any | None = None
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def start(cls, config: Any, center: AlertCenter, bus: EventBus,
              statuses: Callable[[], dict[str, dict[str, str]]],
              transfers: Any | None = None, *, session: Any | None = None,
              desk: Any | None = None) -> "StaffLinks":
        from .technician import DeviceCounters

        from .console.held import HeldDecisions

        links = cls(counters=DeviceCounters())
        decisions = HeldDecisions(center, transfers, bus) if transfers is not None else None
        links.counters.attach(bus)
        links._closers.append(links.counters.detach)
        if session is not None and (config.fleet.enabled or config.console.enabled):
            links._start("remote actions",
                         lambda: links._remote_actions(config, session, bus, desk))
        if config.fleet.enabled:
            links._start("fleet", lambda: links._fleet(config, center, bus, statuses, decisions,
                                                       links.remote))
        if config.notify.enabled and kiosk_sends_notifications(config):
            links._start("notifications", lambda: links._notify(config, center))
        if config.console.enabled:
            links._start("staff console", lambda: links._console(config, center, bus, statuses,
                                                                 decisions, links.remote))
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

    def _remote_actions(self, config: Any, session: Any, bus: EventBus, desk: Any) -> None:
        from .fleet.remote_actions import RemoteActions

        self.remote = RemoteActions(session, bus=bus, desk=desk,
                                    state_file=config.data_dir / "run" / "out_of_service.json")
        self._closers.append(self.remote.close)

    def _fleet(self, config: Any, center: AlertCenter, bus: EventBus,
               statuses: Callable[[], dict[str, dict[str, str]]], decisions: Any,
               remote: Any | None = None) -> None:
        from .fleet.publisher import FleetPublisher

        self.fleet = FleetPublisher.from_config(center, config, statuses)
        self.fleet.decisions = decisions
        self.fleet.attach(bus)
        if remote is not None:
            self.fleet.set_remote(remote)
        self.fleet.start()
        self._closers.append(self.fleet.stop)

    def _notify(self, config: Any, center: AlertCenter) -> None:
        from .alerts.notify import StaffNotifier

        self.notifier = StaffNotifier.from_config(config.notify)
        self.notifier.attach(center)
        self._closers.append(self.notifier.stop)

    def _console(self, config: Any, center: AlertCenter, bus: EventBus,
                 statuses: Callable[[], dict[str, dict[str, str]]], decisions: Any,
                 remote: Any | None = None) -> None:
        from .console.local import LocalSource
        from .console.server import ConsoleServer

        from .config_digest import config_digest
        source = LocalSource(center, bus=bus, statuses=statuses,
                             config_digest=config_digest(config),
                             history_limit=config.console.history_limit, decisions=decisions,
                             actions=remote, command_timeout_s=config.console.command_timeout_s)
        self.console = ConsoleServer.from_config(source, config)
        self.console.start()
        self._closers.append(source.close)
        self._closers.append(self.console.stop)
