"""Technician mode inside the running kiosk: what a technician may do once the gate opens, each
action journaled with who and when, and the out-of-service notice while they work.

`TechnicianDesk` is built by the composition root and handed to the session (Services), which
decides when the mode starts and ends (kiosk.session.technician). Everything here may block
(self-tests wait for a card, the PIN check is scrypt): the session calls it from a worker.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .alerts.faults import Fault
from .alerts.model import Severity
from .technician import SelfTestResult, SelfTests, TechnicianGate, export_bundle, recent_log_lines

log = logging.getLogger(__name__)

ALERT_KEY = "technician.mode"
DEVICE_ACTIONS = ("reset", "out_of_service", "in_service", "paper_roll_changed")


@dataclass(frozen=True)
class ServiceModeChanged:
    """On the EventBus: the kiosk stopped (serving=False) or resumed serving customers."""
    serving: bool
    reason: str = ""


class TechnicianDesk:
    def __init__(self, gate: TechnicianGate, *, devices: Any, bus: Any, config: Any,
                 journal: Any | None = None, alerts: Any | None = None):
        self.gate = gate
        self.devices = devices
        self.bus = bus
        self.config = config
        self.journal = journal
        self.alerts = alerts
        self.counters: Any | None = None   # kiosk.technician.DeviceCounters, once staff links run
        self.self_tests = SelfTests(devices, bus, config)
        self.active = False

    @classmethod
    def from_config(cls, config: Any, *, devices: Any, bus: Any, journal: Any | None = None,
                    alerts: Any | None = None) -> "TechnicianDesk":
        gate = TechnicianGate.from_config(config, journal=journal, alerts=alerts)
        return cls(gate, devices=devices, bus=bus, config=config, journal=journal,
                   alerts=alerts)

    @property
    def idle_timeout_s(self) -> float:
        return float(self.config.technician.idle_timeout_s)

    @property
    def who(self) -> str:
        return self.gate.via or "unknown"

    # -- the mode ---------------------------------------------------------------------------
    def begin(self) -> None:
        """The PIN prompt is up: the kiosk is out of service from now on."""
        self.active = True
        self._journal("technician.prompt")
        if self.alerts is not None:
            self.alerts.raise_fault(Fault(ALERT_KEY, "technician.at_work", Severity.WARNING,
                                          "technician mode: out of service for customers"),
                                    device="technician", data={"via": self.who})
        self.bus.publish(ServiceModeChanged(False, "technician"))

    def end(self, reason: str) -> None:
        """Back to customers: journal the exit, re-check every device, serve again."""
        self.gate.leave(reason)
        self.active = False
        try:
            self.devices.recheck()
        except Exception:
            log.exception("re-checking the devices after technician mode failed")
        if self.alerts is not None:
            self.alerts.resolve_key(ALERT_KEY, by="technician")
        self.bus.publish(ServiceModeChanged(True, reason))

    # -- what the technician does (each call journaled) ----------------------------------------
    def self_test(self, device: str, timeout: float = 15.0) -> SelfTestResult:
        result = self.self_tests.run(device, timeout)
        self._journal("technician.self_test", device=device, ok=result.ok,
                      summary=result.summary[:200])
        return result

    def device_action(self, device: str, action: str) -> str:
        """reset, out_of_service, in_service or paper_roll_changed; returns what was done."""
        if action not in DEVICE_ACTIONS or device not in self.devices.enabled_names():
            raise ValueError(f"no technician action {action!r} for {device!r}")
        if action == "reset":
            self.devices.reset(device)
            done = f"{device} is being reopened"
        elif action in ("out_of_service", "in_service"):
            serving = action == "in_service"
            changed = self.devices.set_serving(device, serving)
            done = f"{device} {'back in service' if serving else 'out of service'}" + (
                "" if changed else " (already)")
        else:
            done = self._paper_roll_changed(device)
        self._journal("technician.action", device=device, action=action, result=done)
        log.warning("technician (%s): %s", self.who, done)
        return done

    def out_of_service(self) -> list[str]:
        """The configured devices a technician marked out of service."""
        return [n for n in self.devices.enabled_names() if not self.devices.serving(n)]

    def log_lines(self, count: int = 200) -> list[str]:
        self._journal("technician.log_viewed", lines=count)
        return recent_log_lines(self.config, count)

    def export(self) -> str:
        path = export_bundle(self.config, self.config.data_dir / "diag",
                             statuses=self.devices.statuses(), alerts=self.alerts,
                             counters=self.counters)
        self._journal("technician.bundle", file=path.name)
        return str(path)

    # -- internals -------------------------------------------------------------------------------
    def _paper_roll_changed(self, device: str) -> str:
        """After a roll change: the paper counter starts again and the printer is asked now,
        so a paper-low alert from the old roll resolves."""
        if self.counters is not None:
            self.counters.new_paper_roll()
        dev = self.devices.device(device)
        if dev is None or not hasattr(dev, "read_status"):
            return f"{device}: paper counter cleared; the printer is not open"
        status = dev.read_status()
        return f"{device}: paper counter cleared; paper now {status.paper}"

    def _journal(self, kind: str, **fields: Any) -> None:
        if self.journal is not None:
            self.journal.record(kind, who=self.who, **fields)
