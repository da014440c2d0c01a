"""AlertCenter over a real EventBus and a real SQLite outbox."""
from __future__ import annotations

import json

import pytest

from drivers.base import StatusChanged
from kiosk.alerts import AlertCenter, AlertChange, AlertState, Severity
from kiosk.alerts.outbox import AlertOutbox
from kiosk.events import EventBus

PAN = "6222021234567890128"  # invented, valid Luhn digit


class FakeClock:
    """Only the clock is faked; everything else is the real store."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@pytest.fixture
def center(tmp_path):
    c = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-T1", branch="B1",
                    clock=FakeClock())
    yield c
    c.close()


def paper(old: str, new: str) -> StatusChanged:
    return StatusChanged("printer", "printer", "paper", old, new)


def test_paper_lifecycle_from_bus_events(center):
    bus = EventBus()
    center.attach(bus)
    seen: list[AlertChange] = []
    bus.subscribe(seen.append, AlertChange)

    bus.publish(paper("full", "low"))
    (alert,) = center.active()
    assert (alert.code, alert.severity, alert.state) == ("printer.paper.low", Severity.WARNING,
                                                        AlertState.RAISED)
    assert center.acknowledge(alert.alert_id, "王测试").state is AlertState.ACKNOWLEDGED

    bus.publish(paper("low", "out"))  # worse: escalates and asks for attention again
    (alert,) = center.active()
    assert (alert.code, alert.severity, alert.state) == ("printer.paper.out", Severity.FAULT,
                                                        AlertState.RAISED)
    bus.publish(paper("out", "full"))
    assert center.active() == []
    (done,) = center.history()
    assert done.alert_id == alert.alert_id and done.data["resolved_by"] == "device"
    assert [c.action for c in seen] == ["raised", "acknowledged", "escalated", "resolved"]
    assert center.outbox.unsent_count() == 4


def test_same_condition_is_counted_not_repeated(center):
    for _ in range(3):
        center.on_status(StatusChanged("idcard", "idcard", "sam", "ok", "inoperative"))
    (alert,) = center.active()
    assert alert.count == 3
    assert center.outbox.unsent_count() == 1  # one fleet event, not three


def test_values_that_mean_nothing_raise_nothing(center):
    center.on_status(StatusChanged("printer", "printer", "device", "starting", "online"))
    center.on_status(StatusChanged("chipcard", "chipcard", "media", "notPresent", "entering"))
    center.on_status(StatusChanged("printer", "printer", "cover", "closed", "unknown"))
    assert center.active() == [] and center.outbox.unsent_count() == 0


def test_detached_center_ignores_the_shutdown_offline(center):
    bus = EventBus()
    detach = center.attach(bus)
    bus.publish(StatusChanged("printer", "printer", "device", "starting", "offline"))
    (alert,) = center.active()  # a printer that does not answer is a fault
    assert alert.message == "printer: does not answer: check its power and cable"
    bus.publish(StatusChanged("printer", "printer", "device", "offline", "online"))
    detach()
    bus.publish(StatusChanged("printer", "printer", "device", "online", "offline"))
    assert center.active() == []


def test_alerts_and_unsent_events_survive_a_restart(tmp_path):
    path = tmp_path / "alerts.db"
    first = AlertCenter(AlertOutbox(path), kiosk_id="KSK-T1", branch="B1")
    first.on_status(StatusChanged("printer", "printer", "device", "online", "noDevice"))
    help_alert = first.raise_help("cannot find transfer button", session="s-1")
    first.close()

    second = AlertCenter(AlertOutbox(path), kiosk_id="KSK-T1", branch="B1")
    try:
        assert {a.alert_id for a in second.active()} >= {help_alert.alert_id}
        assert len(second.active()) == 2
        pending = second.outbox.unsent(10)
        assert [json.loads(e.payload)["action"] for e in pending] == ["raised", "raised"]
        assert len({e.event_id for e in pending}) == 2
        second.on_status(StatusChanged("printer", "printer", "device", "noDevice", "online"))
        assert [a.kind for a in second.active()] == ["help"]
    finally:
        second.close()


def test_help_and_held_transfer_are_masked_and_closed_by_staff(center):
    first = center.raise_help(f"card {PAN} was swallowed")
    again = center.raise_help("still waiting")
    assert first.alert_id == again.alert_id
    held = center.raise_held_transfer("T0001", 5_000_000, payee_masked="621700******1234",
                                      reason=f"from {PAN}")
    assert "¥50,000.00" in held.message
    rows = [e.payload for e in center.outbox.unsent(50)]
    stored = json.dumps([a.to_dict() for a in center.active()], ensure_ascii=False)
    assert all(PAN not in text for text in rows + [stored])
    assert "622202*********0128" in stored
    assert center.resolve(held.alert_id, by="李测试").state is AlertState.RESOLVED
    assert [a.kind for a in center.active()] == ["help"]
