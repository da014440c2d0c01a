"""The reader under the device manager: emulator from config, presence events on the bus,
unplug -> noDevice, replug -> online again."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from drivers.base import DeviceEvent, StatusChanged
from kiosk.config import KioskConfig
from kiosk.device_manager import DeviceManager
from kiosk.events import EventBus


@pytest.fixture
def manager(tmp_path):
    config = KioskConfig(source=tmp_path / "kiosk.toml")
    devices = config.devices
    off = {n: replace(getattr(devices, n), enabled=False)
           for n in ("chipcard", "printer", "camera", "scanner")}
    idcard = replace(devices.idcard, port=str(tmp_path / "run" / "idcard.pty"),
                     poll_interval_s=0.05)
    config = replace(config, devices=replace(devices, idcard=idcard, reconnect_min_s=0.05,
                                             reconnect_max_s=0.2, **off))
    bus = EventBus()
    seen: list = []
    changed = threading.Condition()

    def record(event):
        with changed:
            seen.append(event)
            changed.notify_all()
    bus.subscribe(record)
    mgr = DeviceManager(config, bus)
    mgr.seen, mgr.changed = seen, changed
    mgr.start()
    assert mgr.wait_ready("idcard", 5)
    yield mgr
    mgr.stop()


def wait_for(mgr, predicate, timeout=5.0):
    with mgr.changed:
        assert mgr.changed.wait_for(lambda: any(predicate(e) for e in mgr.seen), timeout)
        mgr.seen.clear()


def is_event(name):
    return lambda e: isinstance(e, DeviceEvent) and e.name == name


def is_state(value):
    return lambda e: isinstance(e, StatusChanged) and e.field == "device" and e.new == value


def test_presence_events_and_reconnect_through_the_device_manager(manager):
    emu = manager.emulator("idcard")
    assert manager.statuses()["idcard"]["device"] == "online"
    emu.perform("place_card", "ceshi_jia")
    wait_for(manager, is_event("MediaInsertedEvent"))
    emu.perform("remove_card")
    wait_for(manager, is_event("MediaRemovedEvent"))
    emu.perform("unplug")
    wait_for(manager, is_state("noDevice"))
    emu.perform("replug")
    wait_for(manager, is_state("online"))
    emu.perform("place_card", "hk_tester")
    wait_for(manager, is_event("MediaInsertedEvent"))
    assert manager.device("idcard").read_card().card_type == "J"
