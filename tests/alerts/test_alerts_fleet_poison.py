"""Poisoned fleet messages: each is logged, counted and dropped; the console stays live."""
from __future__ import annotations

import json
import time

import paho.mqtt.client as mqtt
import pytest

from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.monitor import FleetMonitor

pytestmark = pytest.mark.mqtt

GOOD_ALERT = {"alert_id": "a1", "key": "help", "kind": "help", "device": "",
              "code": "help.requested", "severity": "warning", "message": "help",
              "state": "raised", "raised_at": 1.0, "updated_at": 1.0, "count": 1,
              "acknowledged_by": "", "acknowledged_at": None, "resolved_at": None, "data": {}}
POISON = [
    ("bank/B1/KSK-P1/status", {"state": "online", "at": "x"}, True),
    ("bank/B1/KSK-P2/event/kiosk", {"event_id": "e1", "alert": {"state": "raised"}}, False),
    ("bank/B1/KSK-P3/status", {"state": "online", "at": 5.0,
                               "alerts": [{k: v for k, v in GOOD_ALERT.items()
                                           if k != "raised_at"}]}, True),
    ("bank/B1/KSK-P4/status", {"state": "online", "at": 5.0, "devices": ["printer"]}, True),
    ("bank/B1/KSK-P5/status", "not json at all", True),
    ("bank/B1/KSK-P6/status", {"state": "online", "at": 5.0,
                               "devices": {"printer": {"paper": ["out"]}}}, True),
    ("bank/B1/KSK-P7/event/kiosk", {"event_id": "e2", "alert": {**GOOD_ALERT,
                                                               "severity": "apocalyptic"}}, False),
]


def _publish(url, messages):
    address = BrokerAddress.parse(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect(address.host, address.port)
    client.loop_start()
    for topic, body, retain in messages:
        payload = body if isinstance(body, str) else json.dumps(body)
        client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def _wait_for(monitor, kiosk, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kiosks = {k["kiosk"]: k for k in monitor.snapshot()["kiosks"]}
        if kiosk in kiosks:
            return kiosks[kiosk]
        time.sleep(0.02)
    raise AssertionError(f"{kiosk} never appeared: the monitor went blind")


def test_poisoned_messages_are_dropped_and_the_console_stays_live(mosquitto):
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url), client_id="console-poison")
    monitor.start()
    try:
        assert monitor.wait_connected(5)
        _publish(mosquitto.url, POISON)
        _publish(mosquitto.url, [("bank/B1/KSK-OK/status",
                                  {"state": "online", "at": 7.0, "alerts": [GOOD_ALERT],
                                   "devices": {"chipcard": {"chipPower": "noCard"}}}, True)])
        kiosk = _wait_for(monitor, "KSK-OK")
        assert kiosk["alerts"][0]["alert_id"] == "a1"
        assert monitor.rejected == len(POISON)
        assert {k["kiosk"] for k in monitor.snapshot()["kiosks"]} <= {"KSK-OK"}
    finally:
        monitor.stop()

    # The retained poison is delivered again to a restarted console: still harmless.
    again = FleetMonitor(BrokerAddress.parse(mosquitto.url), client_id="console-poison")
    again.start()
    try:
        assert again.wait_connected(5)
        _wait_for(again, "KSK-OK")
        _publish(mosquitto.url, [("bank/B1/KSK-OK2/status", {"state": "online", "at": 8.0},
                                  True)])
        _wait_for(again, "KSK-OK2")
        assert again.rejected >= 4  # the retained ones, once each
        assert json.dumps(again.snapshot())
    finally:
        again.stop()


def test_resolved_alerts_and_who_acknowledged_them_survive_a_console_restart(mosquitto,
                                                                            tmp_path):
    from kiosk.console.store import ConsoleStore

    resolved = {**GOOD_ALERT, "state": "resolved", "acknowledged_by": "王测试",
                "acknowledged_at": 2.0, "resolved_at": 3.0, "updated_at": 3.0,
                "data": {"resolved_by": "device"}}
    store = ConsoleStore(tmp_path / "console.db")
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url), history_store=store)
    monitor.start()
    try:
        assert monitor.wait_connected(5)
        _publish(mosquitto.url, [("bank/B1/KSK-H/event/kiosk",
                                  {"event_id": "r1", "action": "resolved", "alert": resolved},
                                  False)])
        _wait_for(monitor, "KSK-H")
    finally:
        monitor.stop()
        store.close()
    store = ConsoleStore(tmp_path / "console.db")
    try:
        again = FleetMonitor(BrokerAddress.parse(mosquitto.url), history_store=store)
        (kept,) = again.snapshot()["history"]
        assert kept["alert_id"] == "a1" and kept["acknowledged_by"] == "王测试"
        assert kept["kiosk"] == "KSK-H" and kept["data"]["resolved_by"] == "device"
    finally:
        store.close()
