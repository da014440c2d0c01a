"""Everything started from the configuration: fleet, notifications, console, counters."""
from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from drivers.base import StatusChanged
from kiosk.alerts import AlertCenter
from kiosk.core import StaffLinks
from kiosk.config import load_config
from kiosk.events import EventBus
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.monitor import FleetMonitor

from .conftest import free_port

pytestmark = pytest.mark.mqtt


def test_one_paper_out_reaches_fleet_console_and_staff_group(tmp_path, mosquitto, webhook_sink):
    sink = webhook_sink()
    port = free_port()
    (tmp_path / "kiosk.toml").write_text(f"""
[kiosk]
id = "KSK-T6"
branch = "B6"
data_dir = "{tmp_path}/var"
[fleet]
enabled = true
mqtt_url = "{mosquitto.url}"
[console]
enabled = true
listen = "127.0.0.1:{port}"
[notify]
enabled = true
sent_by = "kiosk"
wecom_webhook = "{sink.url}/cgi-bin/webhook/send?key=k"
""", encoding="utf-8")
    config = load_config(tmp_path / "kiosk.toml")
    center = AlertCenter.from_config(config)
    bus = EventBus()
    center.attach(bus)
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url))
    monitor.start()
    links = StaffLinks.start(config, center, bus, lambda: {"printer": {"device": "online"}})
    try:
        assert links.fleet.wait_connected(5) and monitor.wait_connected(5)
        bus.publish(StatusChanged("printer", "printer", "paper", "low", "out"))
        deadline = time.monotonic() + 5
        while not (monitor.snapshot()["kiosks"] and monitor.snapshot()["kiosks"][0]["alerts"]):
            assert time.monotonic() < deadline, "fleet never saw the fault"
            time.sleep(0.02)
        assert links.notifier.wait_idle(5) and len(sink.posts) == 1
        local = links.console.source.snapshot()["kiosks"][0]
        assert [a["code"] for a in local["alerts"]] == ["printer.paper.out"]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=5)
        assert refused.value.code == 401
        assert links.counters.snapshot()["faults"] == 1
    finally:
        links.stop()
        center.close()
    while monitor.snapshot()["kiosks"][0]["state"] != "offline":
        assert time.monotonic() < deadline, "no offline status on clean shutdown"
        time.sleep(0.02)
    monitor.stop()


@pytest.mark.parametrize("fleet,sent_by,from_kiosk", [
    ("true", "auto", False), ("true", "fleet", False), ("false", "auto", True),
    ("false", "fleet", False), ("true", "kiosk", True)])
def test_with_a_fleet_the_kiosk_leaves_group_notifications_to_the_fleet_service(
        tmp_path, webhook_sink, fleet, sent_by, from_kiosk):
    sink = webhook_sink()
    (tmp_path / "kiosk.toml").write_text(f"""
[kiosk]
data_dir = "{tmp_path}/var"
[fleet]
enabled = {fleet}
mqtt_url = "mqtt://127.0.0.1:{free_port()}"
[notify]
enabled = true
sent_by = "{sent_by}"
wecom_webhook = "{sink.url}/cgi-bin/webhook/send?key=k"
""", encoding="utf-8")
    config = load_config(tmp_path / "kiosk.toml")
    center = AlertCenter.from_config(config)
    bus = EventBus()
    center.attach(bus)
    links = StaffLinks.start(config, center, bus, lambda: {})
    try:
        bus.publish(StatusChanged("printer", "printer", "paper", "low", "out"))
        assert (links.notifier is not None) == from_kiosk
        if from_kiosk:
            assert links.notifier.wait_idle(5)
        else:
            time.sleep(0.3)
        assert len(sink.posts) == (1 if from_kiosk else 0)
    finally:
        links.stop()
        center.close()
