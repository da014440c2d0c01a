"""One credential per kiosk on a real mosquitto with the shipped ACL: a kiosk publishes only
under its own topics and reads only its own commands; commands sent while a kiosk is away wait
for it (persistent session, QoS 1) and the console shows them pending until the kiosk confirms."""
from __future__ import annotations

import json
import random
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from kiosk.alerts import AlertCenter, AlertState
from kiosk.alerts.outbox import AlertOutbox
from kiosk.fleet.broker import BrokerAddress, reconnect_delays
from kiosk.fleet.monitor import FleetMonitor
from kiosk.fleet.publisher import FleetPublisher

from .conftest import Mosquitto

pytestmark = pytest.mark.mqtt
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
USERS = {"KSK-1": "pw-one-11", "KSK-2": "pw-two-22", "console": "pw-console-33"}


@pytest.fixture
def acl_broker(tmp_path):
    passwd = tmp_path / "passwd"
    for n, (user, password) in enumerate(USERS.items()):
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if n == 0 else []), str(passwd),
                        user, password], check=True, capture_output=True)
    shipped = (DEPLOY / "fleet.conf").read_text()
    keep = [line for line in shipped.splitlines()
            if line.split(" ")[0] in ("allow_anonymous", "use_username_as_clientid",
                                      "max_queued_messages", "per_listener_settings")]
    broker = Mosquitto(tmp_path, extra="\n".join(keep) + f"\npassword_file {passwd}\n"
                       f"acl_file {DEPLOY / 'fleet.acl'}\n")
    broker.start()
    yield broker
    broker.stop()


class Client:
    """A raw MQTT 5 client, to see the broker's reason codes."""

    def __init__(self, broker, user):
        self.messages: list[tuple[str, dict]] = []
        self.acks: dict[int, int] = {}
        self.done = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=user,
                                  protocol=mqtt.MQTTv5)
        self.client.username_pw_set(user, USERS[user])
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def _on_message(self, client, userdata, message):
        with self.done:
            self.messages.append((message.topic, json.loads(message.payload)))
            self.done.notify_all()

    def _on_publish(self, client, userdata, mid, reason, properties):
        with self.done:
            self.acks[mid] = reason.value
            self.done.notify_all()

    def publish(self, topic, body) -> int:
        info = self.client.publish(topic, json.dumps(body), qos=1)
        with self.done:
            assert self.done.wait_for(lambda: info.mid in self.acks, 5)
            return self.acks[info.mid]

    def subscribe(self, topic):
        self.client.subscribe(topic, qos=1)
        time.sleep(0.2)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def test_a_kiosk_cannot_publish_as_another_or_read_its_commands(acl_broker):
    console, one, two = (Client(acl_broker, u) for u in ("console", "KSK-1", "KSK-2"))
    try:
        console.subscribe("bank/#")
        one.subscribe("bank/+/KSK-2/command/#")
        two.subscribe("bank/+/KSK-2/command/#")
        event = {"event_id": "e1", "note": "test"}
        assert one.publish("bank/B1/KSK-1/event/printer", event) == 0
        assert one.publish("bank/B1/KSK-2/event/printer", event) == 0x87  # Not authorized
        assert one.publish("bank/B1/KSK-2/status", {"state": "offline"}) == 0x87
        assert one.publish("bank/B1/KSK-2/command/ack", {"alert_id": "x"}) == 0x87
        assert console.publish("bank/B1/KSK-2/command/ack", {"alert_id": "a2"}) == 0
        with two.done:
            assert two.done.wait_for(lambda: two.messages, 5)
        time.sleep(0.3)
        seen = [topic for topic, _ in console.messages]
        assert "bank/B1/KSK-1/event/printer" in seen
        assert not any(t.startswith("bank/B1/KSK-2/") and "/command/" not in t for t in seen)
        assert one.messages == []  # KSK-1 never reads KSK-2's commands
    finally:
        for client in (console, one, two):
            client.close()


def test_reconnect_back_off_is_jittered_per_client():
    rng = random.Random(7)
    draws = [reconnect_delays(rng) for _ in range(200)]
    firsts = sorted(d[0] for d in draws)
    assert firsts[-1] - firsts[0] > 1.0 and len(set(firsts)) == len(firsts)
    assert all(first < longest for first, longest in draws)


def test_a_command_sent_while_the_kiosk_is_away_arrives_when_it_returns(tmp_path, acl_broker):
    center = AlertCenter(AlertOutbox(tmp_path / "k1.db"), kiosk_id="KSK-1", branch="B1")
    kiosk_url = BrokerAddress.parse(acl_broker.url, username="KSK-1", password=USERS["KSK-1"])
    console_url = BrokerAddress.parse(acl_broker.url, username="console",
                                      password=USERS["console"])
    fleet = FleetPublisher(center, kiosk_url)
    monitor = FleetMonitor(console_url, client_id="console")
    monitor.start()
    fleet.start()
    try:
        assert fleet.wait_connected(5) and monitor.wait_connected(5)
        alert = center.raise_help("needs a pen")
        assert fleet.wait_drained(5)
        deadline = time.monotonic() + 5
        while not (monitor.kiosk("KSK-1") or {}).get("alerts"):
            assert time.monotonic() < deadline, "the console never saw the help request"
            time.sleep(0.02)
        fleet.stop()  # the kiosk goes away (restart, network)
        while monitor.kiosk("KSK-1")["state"] != "offline":
            assert time.monotonic() < deadline
            time.sleep(0.02)

        assert monitor.acknowledge("KSK-1", alert.alert_id, "王测试")
        shown = {a["alert_id"]: a for a in monitor.kiosk("KSK-1")["alerts"]}[alert.alert_id]
        assert shown["pending"] == "ack" and shown["command"] == "pending"
        time.sleep(0.5)
        assert center.get(alert.alert_id).state is AlertState.RAISED

        fleet = FleetPublisher(center, kiosk_url)  # back, with the same credential
        fleet.start()
        deadline = time.monotonic() + 10
        while center.get(alert.alert_id).state is not AlertState.ACKNOWLEDGED:
            assert time.monotonic() < deadline, "the queued command never reached the kiosk"
            time.sleep(0.02)
        while True:
            shown = {a["alert_id"]: a for a in monitor.kiosk("KSK-1")["alerts"]}[alert.alert_id]
            if shown["state"] == "acknowledged" and not shown["pending"]:
                break
            assert time.monotonic() < deadline, shown
            time.sleep(0.02)
        assert shown["acknowledged_by"] == "王测试"
    finally:
        fleet.stop()
        monitor.stop()
        center.close()


def test_a_command_never_confirmed_is_shown_failed(tmp_path, acl_broker):
    now = [1000.0]
    console_url = BrokerAddress.parse(acl_broker.url, username="console",
                                      password=USERS["console"])
    monitor = FleetMonitor(console_url, command_timeout_s=60, clock=lambda: now[0])
    monitor.start()
    one = Client(acl_broker, "KSK-1")
    try:
        assert monitor.wait_connected(5)
        alert = {"alert_id": "h1", "key": "help", "kind": "help", "device": "",
                 "code": "help.requested", "severity": "warning", "message": "help",
                 "state": "raised", "raised_at": 900.0, "updated_at": 900.0, "count": 1,
                 "acknowledged_by": "", "acknowledged_at": None, "resolved_at": None, "data": {}}
        one.publish("bank/B1/KSK-1/event/kiosk", {"event_id": "ev1", "alert": alert})
        deadline = time.monotonic() + 5
        while not (monitor.kiosk("KSK-1") or {}).get("alerts"):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert monitor.acknowledge("KSK-1", "h1", "王测试")
        monitor.expire_pending()
        assert monitor.kiosk("KSK-1")["alerts"][0]["command"] == "pending"
        now[0] += 61
        monitor.expire_pending()
        assert monitor.kiosk("KSK-1")["alerts"][0]["command"] == "failed"
    finally:
        one.close()
        monitor.stop()


def test_a_kiosk_cannot_knock_another_off_by_taking_its_client_id(acl_broker):
    """The client id is bound to the credential (use_username_as_clientid): KSK-1 connecting
    as client id KSK-2 gets its own session and KSK-2 stays connected."""
    two = Client(acl_broker, "KSK-2")
    lost = threading.Event()
    two.client.on_disconnect = lambda *a: lost.set()
    intruder = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="KSK-2",
                           protocol=mqtt.MQTTv5)
    intruder.username_pw_set("KSK-1", USERS["KSK-1"])
    try:
        time.sleep(0.3)
        assert two.client.is_connected()
        intruder.connect("127.0.0.1", acl_broker.port)
        intruder.loop_start()
        deadline = time.monotonic() + 5
        while not intruder.is_connected():
            assert time.monotonic() < deadline, "the intruder never connected"
            time.sleep(0.02)
        assert not lost.wait(1.0), "KSK-2 was knocked off by another kiosk's credential"
        assert two.client.is_connected()
    finally:
        intruder.disconnect()
        intruder.loop_stop()
        two.close()
