"""The fleet service on a real mosquitto and a real PostgreSQL (Debian's, started here): MQTT 5
shared subscription across two consumers, idempotent by event id, poisoned messages dropped,
nothing lost or duplicated across a killed service and a broker restart."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from bench.fleet import LocalPostgres
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.service import FleetService, FleetStore
from tests.harness import wait_for

pytestmark = pytest.mark.mqtt
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres():
    """A private cluster of Debian's PostgreSQL on a unix socket, started for the test."""
    cluster = LocalPostgres().start()
    yield cluster.dsn
    cluster.stop()


def _alert(n: int) -> dict:
    return {"alert_id": f"a{n}", "key": "help", "kind": "help", "device": "",
            "code": "help.requested", "severity": "warning", "message": "help",
            "state": "raised", "raised_at": 1000.0 + n, "updated_at": 1000.0 + n, "count": 1,
            "acknowledged_by": "", "acknowledged_at": None, "resolved_at": None, "data": {}}


class Kiosks:
    def __init__(self, url):
        address = BrokerAddress.parse(url)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="sim")
        self.client.max_inflight_messages_set(500)
        self.client.connect(address.host, address.port)
        self.client.loop_start()

    def event(self, n: int, event_id: str | None = None):
        body = {"event_id": event_id or f"e{n:05d}", "action": "raised", "alert": _alert(n)}
        return self.client.publish(f"bank/B{n % 3}/KSK-{n % 7}/event/kiosk", json.dumps(body),
                                   qos=1)

    def raw(self, topic: str, payload: str):
        return self.client.publish(topic, payload, qos=1)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def test_two_consumers_share_the_load_store_each_event_once_and_drop_poison(mosquitto,
                                                                           postgres):
    address = BrokerAddress.parse(mosquitto.url)
    services = [FleetService(address, FleetStore(postgres), client_id=f"fleet-{n}")
                for n in (1, 2)]
    for service in services:
        service.start()
        assert service.wait_connected(5)
    kiosks = Kiosks(mosquitto.url)
    reader = FleetStore(postgres)
    try:
        infos = [kiosks.event(n) for n in range(200)]
        infos += [kiosks.event(n) for n in range(50)]  # delivered twice (QoS 1 re-sends)
        infos += [kiosks.raw("bank/B1/KSK-1/event/kiosk", '{"event_id": "x", "alert": {}}'),
                  kiosks.raw("bank/B1/KSK-1/status", '{"state": "online", "at": "x"}'),
                  kiosks.raw("bank/B1/KSK-1/event/kiosk", "not json")]
        infos += [kiosks.raw("bank/B1/KSK-9/status", json.dumps(body)) for body in (
            {"state": "online", "at": 10.0, "devices": {"printer": {"paper": "full"}}},
            {"state": "offline", "at": 20.0, "reason": "lost"})]
        for info in infos:
            info.wait_for_publish(5)
        assert wait_for(lambda: reader.query("SELECT count(*) FROM fleet_events")[0][0] == 200 and
                        sum(s.duplicates + s.stored + s.rejected for s in services) >= 253,
                        15, 0.05), "timed out"
        assert [s.stored > 20 for s in services] == [True, True], "load not shared"
        assert sum(s.stored for s in services) == 200
        assert sum(s.duplicates for s in services) == 50
        assert sum(s.rejected for s in services) == 3
        assert wait_for(lambda: reader.query("SELECT count(*) FROM fleet_status_log")[0][0] == 2,
                        15, 0.05), "timed out"
        # the two consumers may apply them in either order: the older one never wins
        assert reader.query("SELECT state, reason, since, at FROM fleet_kiosks "
                            "WHERE kiosk = 'KSK-9'") == [("offline", "lost", 20.0, 20.0)]
    finally:
        kiosks.close()
        for service in services:
            service.stop()
        reader.close()


def _service(url, dsn, folder):
    config = folder / "fleet.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{folder}"\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "fleet-service", "--config",
                             str(config), "--mqtt", url, "--dsn", dsn, "--id", "fleet-k"],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert "(connected)" in proc.stdout.readline()
    return proc


def test_nothing_lost_or_duplicated_across_a_killed_service_and_a_broker_restart(mosquitto,
                                                                               postgres,
                                                                               tmp_path):
    reader = FleetStore(postgres)
    procs = [_service(mosquitto.url, postgres, tmp_path)]
    kiosks = Kiosks(mosquitto.url)
    try:
        for info in [kiosks.event(n) for n in range(100)]:
            info.wait_for_publish(5)
        os.kill(procs[-1].pid, signal.SIGKILL)  # mid-stream, some not yet acknowledged
        procs[-1].wait(5)
        for info in [kiosks.event(n) for n in range(100, 200)]:
            info.wait_for_publish(5)  # queued at the broker for the service's session
        kiosks.close()
        mosquitto.stop()
        mosquitto.start()
        procs.append(_service(mosquitto.url, postgres, tmp_path))
        assert wait_for(lambda: reader.query("SELECT count(*) FROM fleet_events")[0][0] >= 200,
                        20, 0.05), "timed out"
        time.sleep(0.5)
        rows = reader.query("SELECT event_id FROM fleet_events ORDER BY event_id")
        assert [r[0] for r in rows] == [f"e{n:05d}" for n in range(200)]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)
            proc.stdout.close()
        reader.close()


def _fault(n: int, severity: str = "fault") -> dict:
    return {"event_id": f"n{n:04d}", "action": "raised", "at": 2000.0 + n,
            "alert": {**_alert(n), "severity": severity, "code": "printer.paper.out",
                      "device": "printer",
                      "message": f"KSK printer: load a new roll ({n})"}}


def test_group_notifications_are_central_rate_limited_per_robot_with_a_digest(postgres,
                                                                             webhook_sink):
    from kiosk.alerts.notify import WeComBot
    from kiosk.alerts.notify_central import GroupNotifier

    sink = webhook_sink()
    store = FleetStore(postgres)
    now = [100.0]
    b1, default = (WeComBot(f"{sink.url}/{name}/send?key=k") for name in ("b1", "all"))
    notifier = GroupNotifier(store, {"B1": b1, "*": default}, per_minute=5, retries=1,
                             clock=lambda: now[0], branch_languages={"B3": "en"})
    try:
        for n in range(30):
            assert store.record_event("B1", f"KSK-{n % 4}", _fault(n))
        assert not store.record_event("B1", "KSK-0", _fault(0))   # a re-delivery: no new message
        store.record_event("B2", "KSK-9", _fault(100, "critical"))
        store.record_event("B2", "KSK-9", _fault(101, "warning"))  # below the threshold
        assert notifier.drain() == 6
        to_b1 = [body["text"]["content"] for path, _, body in sink.posts if path == "/b1/send"]
        to_all = [body["text"]["content"] for path, _, body in sink.posts if path == "/all/send"]
        assert len(to_b1) == 5 and len(to_all) == 1
        # in the branch's language (zh_CN by default) from the catalogs
        assert all(text.startswith("【故障】网点 B1 自助机 KSK-") for text in to_b1[:4])
        assert to_b1[0].splitlines()[1] == "凭条打印机：缺纸，请装入新纸卷"
        assert to_b1[4].startswith("【汇总】另有 26 条告警") and "KSK-3" in to_b1[4]
        assert to_all[0].startswith("【紧急】网点 B2 自助机 KSK-9")
        assert store.unsent_notifications() == []
        store.record_event("B3", "KSK-30", _fault(300))        # a branch that reads English
        assert notifier.drain() == 1
        assert sink.posts[-1][2]["text"]["content"].splitlines()[:2] == [
            "[Fault] Branch B3, kiosk KSK-30", "Receipt printer: paper is out: load a new roll"]
        sink.posts.pop()
        assert notifier.drain() == 0

        for n in range(200, 203):
            store.record_event("B1", "KSK-1", _fault(n))
        assert notifier.drain() == 0, "the robot's minute is used up"
        again = FleetStore(postgres)   # the service restarts: the minute is still used up
        try:
            assert GroupNotifier(again, {"B1": b1, "*": default}, per_minute=5, retries=1,
                                 clock=lambda: now[0]).drain() == 0
        finally:
            again.close()
        assert all("k=k" not in row[0] for row in store.query(
            "SELECT robot FROM fleet_notify_posts")), "a webhook key stored"
        now[0] += 61
        assert notifier.drain() == 3 and len(sink.posts) == 9
    finally:
        store.close()


def test_an_alert_nobody_acknowledges_escalates_to_the_branch_then_the_region(postgres,
                                                                              webhook_sink):
    from kiosk.alerts.notify import WeComBot
    from kiosk.alerts.notify_central import GroupNotifier

    sink = webhook_sink()
    store = FleetStore(postgres)
    wall = [10_000.0]
    robots = {name: WeComBot(f"{sink.url}/{name}/send?key=k") for name in ("B1", "region")}
    notifier = GroupNotifier(store, robots, retries=1, escalate_after_s=(600, 1800),
                             wall=lambda: wall[0])
    try:
        for n, raised in ((1, 9_300.0), (2, 9_300.0), (3, 9_900.0)):
            event = _fault(n)
            event["at"] = event["alert"]["raised_at"] = event["alert"]["updated_at"] = raised
            store.record_event("B1", f"KSK-{n}", event)
        acked = _fault(2)
        acked.update(event_id="ack2", action="acknowledged", at=9_400.0)
        acked["alert"] = {**acked["alert"], "state": "acknowledged", "acknowledged_by": "王"}
        store.record_event("B1", "KSK-2", acked)
        assert notifier.drain() == 3 and notifier.escalate() == 1  # a1 only: a2 acked, a3 new
        assert notifier.escalate() == 0
        assert notifier.drain() == 1
        text = sink.posts[-1][2]["text"]["content"]
        assert sink.posts[-1][0] == "/B1/send" and text.startswith("【升级·无人确认】")
        assert "KSK-1" in text
        wall[0] += 1200  # a1 now 1,900 s old, a3 1,300 s: a3 reaches level 1, a1 level 2
        assert notifier.escalate() == 2 and notifier.drain() == 2
        assert sorted(p for p, _, _ in sink.posts[-2:]) == ["/B1/send", "/region/send"]
    finally:
        store.close()


def test_availability_per_kiosk_and_branch_with_downtime_by_cause(postgres):
    store = FleetStore(postgres)
    day = 86_400.0
    try:
        for kiosk, branch, changes in (
                ("KSK-1", "B1", [(0, "online", ""), (3_600, "offline", "lost"),
                                 (5_400, "online", ""), (80_000, "offline", "shutdown"),
                                 (82_000, "online", "")]),
                ("KSK-2", "B1", [(-500, "online", "")]),           # up since before the day
                ("KSK-3", "B2", [(43_200, "online", "")])):        # new at noon
            for at, state, reason in changes:
                store.record_status(branch, kiosk, {"state": state, "at": at, "reason": reason})
        kiosks = store.availability(0, day)
        assert kiosks["KSK-1"] == {"online": day - 1_800 - 2_000, "lost": 1_800,
                                   "shutdown": 2_000,
                                   "availability": (day - 3_800) / day}
        assert kiosks["KSK-2"]["availability"] == 1.0 and kiosks["KSK-3"]["online"] == 43_200
        branches = store.availability(0, day, by="branch")
        assert branches["B1"]["lost"] == 1_800 and branches["B1"]["online"] == 2 * day - 3_800
        assert store.availability(3_600, 5_400)["KSK-1"]["availability"] == 0.0
        store.record_status("B1", "KSK-4", {"state": "online", "at": time.time() - 7200,
                                            "reason": ""})
        report = subprocess.run([sys.executable, "-m", "kiosk", "fleet-service", "--dsn",
                                 postgres, "--report", "day", "--by", "branch"], cwd=REPO,
                                capture_output=True, text=True, timeout=60)
        assert report.returncode == 0, report.stderr
        assert json.loads(report.stdout)["B1"]["online"] > 7000
    finally:
        store.close()


def test_status_carries_the_services_still_offered_and_the_service_stores_its_digest(
        mosquitto, postgres, tmp_path, emulated_printer):
    """A kiosk (only its emulated printer on) publishes over the real broker what it still
    offers, from the one table (kiosk.device_conditions SERVICES); the fleet service stores
    that with the release and the configuration digest in PostgreSQL; paper out takes printing
    away, staff's out of service takes everything away, and an offline status keeps the rest."""
    from dataclasses import replace

    from kiosk.alerts import AlertCenter
    from kiosk.alerts.outbox import AlertOutbox
    from kiosk.config import load_config
    from kiosk.config_digest import config_digest
    from kiosk.technician_mode import ServiceModeChanged
    from kiosk.fleet.monitor import FleetMonitor
    from kiosk.fleet.publisher import FleetPublisher
    from kiosk.version import kiosk_version

    manager, bus = emulated_printer
    base = load_config()
    config = replace(base, kiosk=replace(base.kiosk, id="KSK-O1", branch="B5"),
                     fleet=replace(base.fleet, enabled=True, mqtt_url=mosquitto.url))
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-O1", branch="B5")
    service = _service(mosquitto.url, postgres, tmp_path)
    store = FleetStore(postgres)
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url), client_id="offered-console")
    monitor.start()
    fleet = FleetPublisher.from_config(center, config, manager.statuses)
    fleet.attach(bus)
    fleet.start()

    def stored(key, value):
        return wait_for(lambda: (store.kiosk("KSK-O1") or {}).get(key) == value, 10, 0.05)

    try:
        assert fleet.wait_connected(5) and monitor.wait_connected(5)
        assert stored("offered", ["printing", "ticket"])
        row = store.kiosk("KSK-O1")
        assert row["config_digest"] == config_digest(config) and len(row["config_digest"]) == 16
        assert row["version"] == kiosk_version() and row["state"] == "online"
        assert wait_for(lambda: (monitor.kiosk("KSK-O1") or {}).get("offered")
                        == ["printing", "ticket"], 5)

        manager.emulator("printer").perform("paper_out")
        assert stored("offered", ["ticket"])
        assert wait_for(lambda: monitor.kiosk("KSK-O1")["offered"] == ["ticket"], 5)
        manager.emulator("printer").perform("paper_replaced")
        assert stored("offered", ["printing", "ticket"])

        bus.publish(ServiceModeChanged(False))          # staff: out of service
        assert stored("offered", [])
        bus.publish(ServiceModeChanged(True))
        assert stored("offered", ["printing", "ticket"])
    finally:
        fleet.stop()                                   # says offline as it goes
        monitor.stop()
    try:
        assert stored("state", "offline")
        row = store.kiosk("KSK-O1")
        assert row["config_digest"] == config_digest(config)
        assert row["offered"] == ["printing", "ticket"]
    finally:
        service.terminate()
        service.wait(5)
        service.stdout.close()
        store.close()
        center.close()
