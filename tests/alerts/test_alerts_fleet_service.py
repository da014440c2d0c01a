"""The fleet service on a real mosquitto and a real PostgreSQL (Debian's, started here): MQTT 5
shared subscription across two consumers, idempotent by event id, poisoned messages dropped,
nothing lost or duplicated across a killed service and a broker restart."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.service import FleetService, FleetStore

pytestmark = pytest.mark.mqtt
PG_BIN = Path("/usr/lib/postgresql/15/bin")
REPO = Path(__file__).resolve().parents[2]
SERVICE_SCRIPT = """
import sys, time, logging
logging.basicConfig(level=logging.WARNING)
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.service import FleetService, FleetStore
service = FleetService(BrokerAddress.parse(sys.argv[1]), FleetStore(sys.argv[2]),
                       client_id="fleet-k")
service.start()
assert service.wait_connected(10)
print("ready", flush=True)
time.sleep(120)
"""


@pytest.fixture
def postgres():
    """A private cluster on a unix socket; as root it runs as the package's `postgres` user."""
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    root.chmod(0o755)
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_user, str(PG_BIN / "initdb"), "-D", str(root / "data"), "-A", "trust",
                    "-U", "postgres", "--no-sync"], check=True, capture_output=True)
    subprocess.run([*as_user, str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-l",
                    str(root / "log"), "-w", "-o",
                    f"-k {root} -c listen_addresses='' -c fsync=off", "start"],
                   check=True, capture_output=True)
    yield f"host={root} dbname=postgres user=postgres"
    subprocess.run([*as_user, str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-m",
                    "immediate", "stop"], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


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


def _wait(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


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
        _wait(lambda: reader.query("SELECT count(*) FROM fleet_events")[0][0] == 200 and
              sum(s.duplicates + s.stored + s.rejected for s in services) >= 253)
        assert [s.stored > 20 for s in services] == [True, True], "load not shared"
        assert sum(s.stored for s in services) == 200
        assert sum(s.duplicates for s in services) == 50
        assert sum(s.rejected for s in services) == 3
        _wait(lambda: reader.query("SELECT count(*) FROM fleet_status_log")[0][0] == 2)
        # the two consumers may apply them in either order: the older one never wins
        assert reader.query("SELECT state, reason, since, at FROM fleet_kiosks "
                            "WHERE kiosk = 'KSK-9'") == [("offline", "lost", 20.0, 20.0)]
    finally:
        kiosks.close()
        for service in services:
            service.stop()
        reader.close()


def _service(url, dsn):
    proc = subprocess.Popen([sys.executable, "-c", SERVICE_SCRIPT, url, dsn], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_nothing_lost_or_duplicated_across_a_killed_service_and_a_broker_restart(mosquitto,
                                                                               postgres):
    reader = FleetStore(postgres)
    procs = [_service(mosquitto.url, postgres)]
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
        procs.append(_service(mosquitto.url, postgres))
        _wait(lambda: reader.query("SELECT count(*) FROM fleet_events")[0][0] >= 200, 20)
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
