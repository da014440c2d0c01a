"""A held transfer approved and another rejected from a console across the broker: the
console's command reaches the kiosk (QoS 1), the transfer service sends or drops the transfer,
and the console shows the command pending until the kiosk's event closes the alert."""
from __future__ import annotations

import time

import pytest

from kiosk.alerts import AlertCenter
from kiosk.alerts.outbox import AlertOutbox
from kiosk.console.held import HeldDecisions
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.monitor import FleetMonitor
from kiosk.fleet.publisher import FleetPublisher
from tests.alerts.conftest import Mosquitto

from .test_host_transfers import send

pytestmark = pytest.mark.mqtt


@pytest.mark.parametrize("host", ["sandbox"], indirect=True)
def test_held_transfers_decided_over_the_broker(service, bank, tmp_path):
    broker = Mosquitto(tmp_path)
    broker.start()
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-H1", branch="B1")
    fleet = FleetPublisher(center, BrokerAddress.parse(broker.url))
    fleet.decisions = HeldDecisions(center, service)
    monitor = FleetMonitor(BrokerAddress.parse(broker.url), client_id="console-held")
    fleet.start()
    monitor.start()
    try:
        assert fleet.wait_connected(5) and monitor.wait_connected(5)
        amount = service.risk.section.large_transfer_fen + 1
        alerts = {}
        for verb in ("approve", "reject"):
            send(service, amount)
            held = service.held_alerts[-1]
            alerts[verb] = center.raise_held_transfer(held.ref, amount).alert_id
        deadline = time.monotonic() + 5
        while len((monitor.kiosk("KSK-H1") or {}).get("alerts", [])) < 2:
            assert time.monotonic() < deadline, "the console never saw the held transfers"
            time.sleep(0.02)
        for verb, alert_id in alerts.items():
            assert monitor.decide("KSK-H1", alert_id, verb == "approve", "王测试",
                                  "核实了客户身份")
        shown = {a["alert_id"]: a["pending"] for a in monitor.kiosk("KSK-H1")["alerts"]}
        assert shown == {alerts["approve"]: "approve", alerts["reject"]: "reject"}
        while monitor.kiosk("KSK-H1")["alerts"]:
            assert time.monotonic() < deadline + 10, monitor.kiosk("KSK-H1")
            time.sleep(0.02)
        assert service.held() == []
        assert list(bank.request_outcomes("KSK00001").values()) == ["approved"]
        decided = {h["alert_id"]: h["data"]["decision"] for h in monitor.history()}
        assert decided == {alerts["approve"]: "approved", alerts["reject"]: "rejected"}
    finally:
        monitor.stop()
        fleet.stop()
        center.close()
        broker.stop()
