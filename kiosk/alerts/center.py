"""AlertCenter: turns device status changes, help requests and held transfers into alerts.

Lifecycle: raised -> acknowledged (by staff) -> resolved (by itself when the device recovers,
or by staff for help requests and transfers). One open alert per key; a repeat only counts,
a worse value escalates (and re-raises an acknowledged alert). Every change is stored with its
fleet event in the outbox before listeners hear about it.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, replace
from typing import Any, Callable

from drivers.base import StatusChanged

from ..documents.format import money
from ..events import EventBus
from drivers.privacy import scrub
from ..device_conditions import PLAIN, RAISED, RESOLVED, ConditionTracker, recovers
from .faults import Fault, device_fault
from .model import Alert, AlertState, Severity
from .outbox import AlertOutbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertChange:
    """Published on the EventBus and to listeners after an alert changed and was stored.

    action: raised, escalated, repeated, acknowledged or resolved.
    """
    action: str
    alert: Alert
    event_id: str = ""   # fleet event id ("" for repeats, which only update the count)


AlertListener = Callable[[AlertChange], None]


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


class AlertCenter:
    def __init__(self, outbox: AlertOutbox, *, kiosk_id: str, branch: str,
                 clock: Callable[[], float] = time.time):
        self.outbox = outbox
        self.kiosk_id = kiosk_id
        self.branch = branch
        self._clock = clock
        self._lock = threading.RLock()
        self._changes = EventBus()  # AlertChange to listeners and attached buses
        self._conditions = ConditionTracker()  # one alert per device condition

    @classmethod
    def from_config(cls, config: Any) -> "AlertCenter":
        center = cls(AlertOutbox(config.path(config.alerts.outbox)),
                     kiosk_id=config.kiosk.id, branch=config.kiosk.branch)
        pruned = center.outbox.prune(time.time() - config.alerts.history_days * 86400)
        if pruned:
            log.info("pruned %d resolved alerts older than %d days", pruned,
                     config.alerts.history_days)
        return center

    def close(self) -> None:
        self.outbox.close()

    # -- wiring ----------------------------------------------------------------------------
    def attach(self, bus: EventBus) -> Callable[[], None]:
        """Raise and resolve device faults from the bus; publish AlertChange on it."""
        unsubscribe = bus.subscribe(self.on_status, StatusChanged)
        stop_forwarding = self._changes.subscribe(bus.publish)

        def detach() -> None:
            unsubscribe()
            stop_forwarding()
        return detach

    def subscribe(self, listener: AlertListener) -> Callable[[], None]:
        """Call `listener(AlertChange)` after every stored change; returns the unsubscribe."""
        return self._changes.subscribe(listener)

    # -- sources of alerts -------------------------------------------------------------------
    def on_status(self, event: StatusChanged) -> None:
        """A condition the change starts is raised; a good value resolves the field's alert
        (also one left open by an earlier run); a covered restatement says nothing."""
        with self._lock:
            outcomes = self._conditions.note(event)
        for outcome in outcomes:
            if outcome.action == RAISED:
                self.raise_fault(device_fault(outcome), device=event.device,
                                 data={"field": event.field, "old": event.old, "new": event.new})
            elif outcome.action == RESOLVED or (outcome.action == PLAIN
                                                and recovers(event.field, event.new)):
                self.resolve_key(outcome.key, by="device")

    def raise_fault(self, fault: Fault, *, device: str, data: dict[str, Any] | None = None
                    ) -> Alert:
        return self._raise(fault.key, "fault", device, fault.code, fault.severity,
                           fault.message, data or {})

    def raise_help(self, reason: str = "", *, session: str = "", screen: str = "") -> Alert:
        """A customer pressed "call staff". One open help request per kiosk."""
        message = f"customer asks for help at {self.kiosk_id}" + (f": {reason}" if reason else "")
        return self._raise("help", "help", "", "help.requested", Severity.WARNING, message,
                           {"reason": reason, "session": session, "screen": screen})

    def raise_held_transfer(self, reference: str, amount_fen: int, *, payee_masked: str = "",
                            account_masked: str = "", reason: str = "") -> Alert:
        """A large transfer waits for staff confirmation; one alert per transfer reference."""
        message = f"transfer {reference} of ¥{money(amount_fen)} held for staff confirmation"
        if payee_masked:
            message += f" (payee {payee_masked})"
        return self._raise(f"transfer.{reference}", "heldTransfer", "", "transfer.held",
                           Severity.WARNING, message,
                           {"reference": reference, "amount_fen": amount_fen,
                            "payee": payee_masked, "account": account_masked, "reason": reason})

    def raise_risk_flag(self, rule: str, card_masked: str, amount_fen: int,
                        detail: str = "") -> Alert:
        """A transfer pattern staff must look at (e.g. repeated amounts just under the threshold)."""
        message = f"risk rule {rule}: card {card_masked}, ¥{money(amount_fen)}"
        if detail:
            message += f" ({detail})"
        return self._raise(f"risk.{rule}.{card_masked}", "riskFlag", "", f"risk.{rule}",
                           Severity.WARNING, message,
                           {"rule": rule, "card": card_masked, "amount_fen": amount_fen})

    # -- staff actions ------------------------------------------------------------------------
    def acknowledge(self, alert_id: str, by: str) -> Alert | None:
        """Staff took it on. Returns the alert, or None when it is unknown or already closed."""
        with self._lock:
            alert = self.outbox.get(alert_id)
            if alert is None or alert.state is not AlertState.RAISED:
                return alert
            now = self._clock()
            alert = replace(alert, state=AlertState.ACKNOWLEDGED, acknowledged_by=by,
                            acknowledged_at=now, updated_at=now)
            change = self._store("acknowledged", alert)
        self._announce(change)
        return alert

    def resolve(self, alert_id: str, by: str, note: dict[str, Any] | None = None
                ) -> Alert | None:
        """Close an alert by hand (help given, transfer decided); `note` joins its data."""
        with self._lock:
            alert = self.outbox.get(alert_id)
            if alert is None or not alert.open:
                return alert
            change = self._close(alert, by, note)
        self._announce(change)
        return change.alert

    def resolve_key(self, key: str, by: str = "device") -> Alert | None:
        with self._lock:
            alert = self.outbox.open_alert(key)
            if alert is None:
                return None
            change = self._close(alert, by)
        self._announce(change)
        return change.alert

    # -- queries ----------------------------------------------------------------------------
    def active(self) -> list[Alert]:
        return self.outbox.active()

    def history(self, limit: int = 200) -> list[Alert]:
        return self.outbox.history(limit)

    def get(self, alert_id: str) -> Alert | None:
        return self.outbox.get(alert_id)

    # -- internals --------------------------------------------------------------------------
    def _raise(self, key: str, kind: str, device: str, code: str, severity: Severity,
               message: str, data: dict[str, Any]) -> Alert:
        message, data = scrub(message), _masked(data)
        with self._lock:
            now = self._clock()
            current = self.outbox.open_alert(key)
            if current is None:
                alert = Alert(alert_id=uuid.uuid4().hex, key=key, kind=kind, device=device,
                              code=code, severity=severity, message=message,
                              state=AlertState.RAISED, raised_at=now, updated_at=now, data=data)
                change = self._store("raised", alert)
            elif current.code == code:
                alert = replace(current, count=current.count + 1, updated_at=now)
                self.outbox.save_quietly(alert)
                change = AlertChange("repeated", alert)
            else:
                worse = severity.rank > current.severity.rank
                state = AlertState.RAISED if worse else current.state
                alert = replace(current, code=code, severity=severity, message=message,
                                state=state, updated_at=now, count=current.count + 1,
                                data=data)
                change = self._store("escalated", alert)
        log.log(logging.WARNING if change.action != "repeated" else logging.DEBUG,
                "alert %s %s [%s] %s", change.action, alert.code, alert.severity, alert.message)
        self._announce(change)
        return alert

    def _close(self, alert: Alert, by: str, note: dict[str, Any] | None = None) -> AlertChange:
        now = self._clock()
        alert = replace(alert, state=AlertState.RESOLVED, resolved_at=now, updated_at=now,
                        data={**alert.data, **(note or {}), "resolved_by": by})
        log.info("alert resolved %s by %s", alert.code, by)
        return self._store("resolved", alert)

    def _store(self, action: str, alert: Alert) -> AlertChange:
        event_id = uuid.uuid4().hex
        payload = {"event_id": event_id, "kiosk": self.kiosk_id, "branch": self.branch,
                   "action": action, "at": alert.updated_at, "alert": alert.to_dict()}
        self.outbox.save(alert, event_id, payload)
        return AlertChange(action, alert, event_id)

    def _announce(self, change: AlertChange) -> None:
        self._changes.publish(change)
