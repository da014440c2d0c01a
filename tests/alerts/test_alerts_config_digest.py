"""The fleet status says which release runs, since when, and on which settings: a digest of the
effective configuration with its secrets left out, carried to the console over a real
mosquitto."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest

from kiosk.alerts import AlertCenter
from kiosk.alerts.outbox import AlertOutbox
from kiosk.config import load_config
from kiosk.config_digest import config_digest
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.monitor import FleetMonitor
from kiosk.fleet.publisher import FleetPublisher
from kiosk.version import kiosk_version

pytestmark = pytest.mark.mqtt


def test_the_digest_follows_settings_and_never_secrets():
    config = load_config()
    digest = config_digest(config)
    assert len(digest) == 16 and digest == config_digest(load_config())
    other_key = replace(config, host=replace(config.host, terminal_key_hex="11" * 16))
    assert config_digest(other_key) == digest            # a secret's value is no setting
    tighter = replace(config, alerts=replace(config.alerts, clock_skew_limit_s=30.0))
    assert config_digest(tighter) != digest


def test_status_carries_version_uptime_and_config_digest(tmp_path, mosquitto):
    base = load_config()
    config = replace(base, kiosk=replace(base.kiosk, id="KSK-D1", branch="B7"),
                     fleet=replace(base.fleet, enabled=True, mqtt_url=mosquitto.url))
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-D1", branch="B7")
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url), client_id="digest-console")
    monitor.start()
    fleet = FleetPublisher.from_config(center, config)
    fleet.start()
    try:
        assert monitor.wait_connected(5) and fleet.wait_connected(5)
        deadline = time.monotonic() + 5
        while (monitor.kiosk("KSK-D1") or {}).get("state") != "online":
            assert time.monotonic() < deadline, "no status reached the console"
            time.sleep(0.05)
        seen = monitor.kiosk("KSK-D1")
        assert seen["config_digest"] == config_digest(config)
        assert seen["version"] == kiosk_version()
        assert 0 <= time.time() - seen["started_at"] < 60
    finally:
        fleet.stop()
        monitor.stop()
        center.close()
