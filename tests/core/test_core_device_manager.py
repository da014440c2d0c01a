"""The device framework over a real pseudo-terminal: status events, noDevice, reconnect."""
from __future__ import annotations

import sys
import subprocess
import threading
import time

import pytest

from drivers import registry
from drivers.base import DeviceEvent, StatusChanged
from drivers.status import DeviceState
from kiosk.config import load_config
from kiosk.device_manager import DeviceManager
from kiosk.events import EventBus
from tests.harness import wait_for

from .serial_probe import ProbeDevice, ProbeEmulator


@pytest.fixture
def probe_config(tmp_path, monkeypatch):
    """A config with only the scanner slot enabled, driven by the probe device."""
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        '[kiosk]\ndata_dir = "var"\n'
        '[devices]\nreconnect_min_s = 0.05\nreconnect_max_s = 0.2\n'
        '[devices.chipcard]\nenabled = false\n[devices.idcard]\nenabled = false\n'
        '[devices.printer]\nenabled = false\n[devices.camera]\nenabled = false\n'
        '[devices.scanner]\nbackend = "serial"\nport = "run/probe.pty"\n', encoding="utf-8")
    monkeypatch.setitem(registry.DRIVERS, "scanner", "tests.core.serial_probe:ProbeDevice")
    monkeypatch.setitem(registry.EMULATORS, "scanner", "tests.core.serial_probe:ProbeEmulator")
    return load_config(toml)


def test_status_event_fires_only_on_change(tmp_path):
    dev = ProbeDevice("probe", port=str(tmp_path / "none"))
    events = []
    dev.subscribe(events.append)
    assert dev._set_status("device", DeviceState.ONLINE)
    assert not dev._set_status("device", DeviceState.ONLINE)
    assert dev._set_status("device", DeviceState.OFFLINE)
    assert [(e.old, e.new) for e in events] == [("starting", "online"), ("online", "offline")]
    assert all(isinstance(e, StatusChanged) and e.device == "probe" for e in events)


def test_a_failing_listener_does_not_stop_the_others(tmp_path):
    dev = ProbeDevice("probe", port=str(tmp_path / "none"))
    seen = []
    dev.subscribe(lambda e: 1 / 0)
    dev.subscribe(seen.append)
    dev._emit("MediaInsertedEvent", atr="3B00")
    assert len(seen) == 1 and isinstance(seen[0], DeviceEvent)
    assert seen[0].data == {"atr": "3B00"}


def test_missing_port_is_no_device_with_a_message_naming_it(tmp_path):
    port = str(tmp_path / "ttyUSB9")
    dev = ProbeDevice("probe", port=port)
    with pytest.raises(Exception) as err:
        dev.open()
    assert port in str(err.value) and "plug the device in" in str(err.value)
    assert dev.state == "noDevice"


def test_missing_device_does_not_delay_start_and_reconnects_when_it_appears(probe_config):
    bus = EventBus()
    seen: list[StatusChanged] = []
    bus.subscribe(seen.append, StatusChanged)
    manager = DeviceManager(probe_config, bus)
    started = time.monotonic()
    manager.start()
    assert time.monotonic() - started < 0.1
    try:
        assert wait_for(lambda: manager.statuses()["scanner"]["device"] == "noDevice")
        emulator = ProbeEmulator(probe_config.path("run/probe.pty"), pace=False)
        emulator.start()
        try:
            assert wait_for(lambda: manager.statuses()["scanner"]["device"] == "online")
            # unplugged while in use: noDevice, then back online when it returns
            emulator.unplug()
            assert wait_for(lambda: manager.statuses()["scanner"]["device"] == "noDevice")
            emulator.replug()
            assert wait_for(lambda: manager.statuses()["scanner"]["device"] == "online")
        finally:
            emulator.stop()
    finally:
        manager.stop()
    transitions = [(e.old, e.new) for e in seen if e.device == "scanner"]
    assert ("online", "noDevice") in transitions
    assert transitions.count(("noDevice", "online")) == 2
    # only real changes are published: never the same state twice in a row
    assert all(old != new for old, new in transitions)


def test_emulated_backend_starts_its_emulator_and_panel_actions_work(probe_config):
    config = probe_config.with_device("scanner", backend="emulator")
    manager = DeviceManager(config, EventBus())
    manager.start()
    try:
        assert wait_for(lambda: manager.statuses()["scanner"]["device"] == "online")
        emulator = manager.emulator("scanner")
        assert [a.name for a in emulator.actions()] == ["unplug", "replug"]
        emulator.perform("unplug")
        assert wait_for(lambda: manager.statuses()["scanner"]["device"] == "noDevice")
        emulator.perform("replug")
        assert wait_for(lambda: manager.statuses()["scanner"]["device"] == "online")
        with pytest.raises(ValueError):
            emulator.perform("explode")
    finally:
        manager.stop()
    assert not [t for t in threading.enumerate() if t.name.startswith("dev-scanner")]


def test_core_never_imports_kivy():
    code = ("import sys, kiosk.config, kiosk.device_manager, kiosk.events, drivers.privacy, "
            "kiosk.cli, drivers.base\n"
            "kiosk.cli.build_parser()\n"
            "assert not any(m == 'kivy' or m.startswith('kivy.') for m in sys.modules), "
            "sorted(m for m in sys.modules if m.startswith('kivy'))")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
