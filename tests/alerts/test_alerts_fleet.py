"""Fleet link against a real mosquitto: status with Last Will, QoS 1 events, no alert lost."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from kiosk.alerts import AlertCenter, AlertState
from kiosk.alerts.outbox import AlertOutbox
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.monitor import FleetMonitor
from kiosk.fleet.publisher import FleetPublisher
from tests.harness import wait_for

pytestmark = pytest.mark.mqtt
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

KIOSK_SCRIPT = """
import sys, time
from kiosk.alerts import AlertCenter
from kiosk.alerts.outbox import AlertOutbox
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.publisher import FleetPublisher
db, url, first, count, wait = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
center = AlertCenter(AlertOutbox(db), kiosk_id="KSK-K9", branch="B9")
fleet = FleetPublisher(center, BrokerAddress.parse(url))
fleet.start()
if wait:
    assert fleet.wait_connected(5)
for i in range(first, first + count):
    center.raise_held_transfer(f"T{i:04d}", 6_000_000 + i)
if wait:
    assert fleet.wait_drained(5)
print("ready", flush=True)
time.sleep(60)
"""


class Subscriber:
    """A plain MQTT client, as the bank's monitoring would use."""

    def __init__(self, url: str, topic: str):
        address = BrokerAddress.parse(url)
        self.messages: list[tuple[str, dict, bool, float]] = []
        self.arrived = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *a: c.subscribe(topic, qos=1)
        self.client.on_message = self._on_message
        self.client.connect(address.host, address.port)
        self.client.loop_start()

    def _on_message(self, client, userdata, message):
        with self.arrived:
            self.messages.append((message.topic, json.loads(message.payload), message.retain,
                                  time.monotonic()))
            self.arrived.notify_all()

    def wait_for(self, predicate, timeout: float = 5.0):
        with self.arrived:
            ok = self.arrived.wait_for(
                lambda: next((m for m in self.messages if predicate(m)), None), timeout)
            return ok

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def kiosk(tmp_path, mosquitto, emulated_printer):
    """The fleet link as the kiosk runs it, following the real printer emulator: the status
    it publishes reads the DeviceManager's statuses."""
    manager, bus = emulated_printer
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-T2", branch="B1")
    detach = center.attach(bus)
    fleet = FleetPublisher(center, BrokerAddress.parse(mosquitto.url), statuses=manager.statuses)
    fleet.attach(bus)
    fleet.start()
    assert fleet.wait_connected(5)
    yield center, bus, fleet, manager.emulator("printer")
    fleet.stop()
    detach()
    center.close()


def test_paper_out_reaches_a_subscriber_within_a_second(kiosk, mosquitto):
    center, bus, fleet, printer = kiosk
    sub = Subscriber(mosquitto.url, "bank/B1/KSK-T2/#")
    try:
        assert sub.wait_for(lambda m: m[0].endswith("/status") and m[1]["state"] == "online")
        start = time.monotonic()
        printer.perform("paper_out")
        event = sub.wait_for(lambda m: m[0] == "bank/B1/KSK-T2/event/printer", 1.0)
        assert event, "no paper-out event within 1 s"
        topic, body, _, at = event
        assert at - start < 1.0
        assert body["alert"]["code"] == "printer.paper.out" and body["action"] == "raised"
        assert len(body["event_id"]) == 32
        status = sub.wait_for(lambda m: m[0].endswith("/status") and m[1].get("alerts")
                              and m[1]["devices"]["printer"]["paper"] == "out")
        assert status and status[1]["alerts"][0]["alert_id"] == body["alert"]["alert_id"]
        fleet.stop()  # clean shutdown says offline itself
        assert sub.wait_for(lambda m: m[1].get("state") == "offline"
                            and m[1].get("reason") == "shutdown")
    finally:
        sub.close()


def test_status_says_out_of_service_while_a_technician_works(kiosk, mosquitto):
    from kiosk.technician_mode import ServiceModeChanged
    _, bus, _, _ = kiosk
    sub = Subscriber(mosquitto.url, "bank/B1/KSK-T2/status")
    try:
        assert sub.wait_for(lambda m: m[1].get("service") == "inService")
        bus.publish(ServiceModeChanged(False, "technician"))
        out = sub.wait_for(lambda m: m[1].get("service") == "outOfService")
        assert out
        bus.publish(ServiceModeChanged(True, "button"))
        assert sub.wait_for(lambda m: m[1].get("service") == "inService" and m[3] > out[3])
    finally:
        sub.close()


def test_no_alert_lost_across_a_broker_outage(kiosk, mosquitto):
    center, bus, fleet, printer = kiosk
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url), client_id="console-outage")
    monitor.start()
    try:
        assert monitor.wait_connected(5)
        mosquitto.stop()
        raised = [center.raise_held_transfer(f"H{i:03d}", 5_000_000 + i).alert_id
                  for i in range(20)]
        printer.perform("cover_open")
        assert wait_for(lambda: center.outbox.unsent_count() == 21, 5)
        mosquitto.start()
        assert fleet.wait_drained(10), "outbox not drained after the broker came back"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            seen = {a["alert_id"] for k in monitor.snapshot()["kiosks"] for a in k["alerts"]}
            if seen >= set(raised) and len(seen) == 21:
                break
            time.sleep(0.05)
        assert seen >= set(raised) and len(seen) == 21
    finally:
        monitor.stop()


def test_console_acknowledge_goes_back_to_the_kiosk(kiosk, mosquitto):
    center, _, _, _ = kiosk
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url))
    monitor.start()
    try:
        alert = center.raise_help("needs a pen")
        deadline = time.monotonic() + 5
        while not monitor.acknowledge("KSK-T2", alert.alert_id, "王测试"):
            assert time.monotonic() < deadline, "console never saw the help request"
            time.sleep(0.02)
        while center.get(alert.alert_id).state is not AlertState.ACKNOWLEDGED:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        while monitor.snapshot()["kiosks"][0]["alerts"][0]["state"] != "acknowledged":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert center.get(alert.alert_id).acknowledged_by == "王测试"
        assert not monitor.acknowledge("KSK-T2", "no-such-alert", "王测试")
    finally:
        monitor.stop()


def test_an_acknowledge_sent_as_soon_as_the_kiosk_shows_online_is_not_lost(tmp_path, mosquitto):
    """The kiosk says online only once the broker granted its command subscription: on a
    broker that grants it a second late (and on the kiosk's first visit, when no session holds
    the subscription yet), staff who acknowledge the moment they see it lose nothing."""
    from tests.alerts.conftest import LateSubscriptions

    relay = LateSubscriptions(mosquitto.port, hold_s=1.0)
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-S1", branch="B1")
    alert = center.raise_help("needs a pen")
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url))
    monitor.start()
    fleet = FleetPublisher(center, BrokerAddress.parse(relay.url))
    try:
        assert monitor.wait_connected(5)
        fleet.start()
        deadline = time.monotonic() + 5
        while not monitor.acknowledge("KSK-S1", alert.alert_id, "王测试"):  # the moment it shows
            assert time.monotonic() < deadline, "the console never saw the kiosk's help request"
            time.sleep(0.005)
        assert relay.held == 1 and fleet.connected
        assert wait_for(lambda: center.get(alert.alert_id).state is AlertState.ACKNOWLEDGED, 5), \
            "the acknowledge was lost: the kiosk said online before it could hear commands"
        assert center.get(alert.alert_id).acknowledged_by == "王测试"
    finally:
        fleet.stop()
        monitor.stop()
        relay.close()
        center.close()


def _kiosk_process(db, url, first, count, wait):
    proc = subprocess.Popen([sys.executable, "-c", KIOSK_SCRIPT, str(db), url, str(first),
                             str(count), str(int(wait))], cwd=REPO, stdout=subprocess.PIPE,
                            text=True)
    line = proc.stdout.readline()
    assert line.strip() == "ready", f"kiosk process failed (rc={proc.poll()})"
    return proc


def test_killed_kiosk_leaves_its_will_and_its_alerts_arrive_after_restart(tmp_path, mosquitto):
    db = tmp_path / "kiosk.db"
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url), client_id="console-restart")
    monitor.start()
    procs = []
    try:
        assert monitor.wait_connected(5)
        procs.append(_kiosk_process(db, mosquitto.url, 0, 2, wait=True))
        os.kill(procs[-1].pid, signal.SIGKILL)
        procs[-1].wait(5)
        deadline = time.monotonic() + 5
        while monitor.snapshot()["kiosks"][0]["state"] != "offline":
            assert time.monotonic() < deadline, "no Last Will after the kiosk was killed"
            time.sleep(0.02)

        mosquitto.stop()  # the restarted kiosk raises alerts while the broker is away, then dies
        procs.append(_kiosk_process(db, mosquitto.url, 2, 5, wait=False))
        os.kill(procs[-1].pid, signal.SIGKILL)
        procs[-1].wait(5)
        mosquitto.start()

        center = AlertCenter(AlertOutbox(db), kiosk_id="KSK-K9", branch="B9")
        fleet = FleetPublisher(center, BrokerAddress.parse(mosquitto.url))
        fleet.start()
        try:
            assert fleet.wait_drained(10)
            while len(monitor.snapshot()["kiosks"][0]["alerts"]) < 7:
                assert time.monotonic() < deadline + 15, monitor.snapshot()
                time.sleep(0.05)
            refs = sorted(a["data"]["reference"] for a in monitor.snapshot()["kiosks"][0]["alerts"])
            assert refs == [f"T{i:04d}" for i in range(7)]
            assert monitor.snapshot()["kiosks"][0]["state"] == "online"
        finally:
            fleet.stop()
            center.close()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
        monitor.stop()


def test_a_command_whose_handling_raises_does_not_deafen_the_kiosk(kiosk, mosquitto):
    """A malformed command, then an acknowledge that fails in the kiosk's database (locked by
    another writer): each is dropped and counted, and the next good command still arrives."""
    import sqlite3

    center, _, fleet, _ = kiosk
    first, second = center.raise_help("needs a pen"), center.raise_held_transfer("T0001", 5_000_000)
    assert fleet.wait_drained(5)
    sender = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    sender.connect("127.0.0.1", BrokerAddress.parse(mosquitto.url).port)
    sender.loop_start()
    try:
        sender.publish(fleet.topics.command("ack"), b"[1, 2]", qos=1).wait_for_publish(5)
        assert wait_for(lambda: fleet.rejected == 1, 5), "the malformed command was not counted"
        locker = sqlite3.connect(center.outbox.path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            sender.publish(fleet.topics.command("ack"),
                           json.dumps({"alert_id": first.alert_id, "by": "王测试"}),
                           qos=1).wait_for_publish(5)
            assert wait_for(lambda: fleet.rejected == 2, 10), "the failed acknowledge was not counted"
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        sender.publish(fleet.topics.command("ack"),
                       json.dumps({"alert_id": second.alert_id, "by": "王测试"}),
                       qos=1).wait_for_publish(5)
        assert wait_for(lambda: center.get(second.alert_id).state is AlertState.ACKNOWLEDGED,
                        5), "the kiosk stopped hearing commands after one raised"
        assert center.get(first.alert_id).state is AlertState.RAISED
    finally:
        sender.disconnect()
        sender.loop_stop()
