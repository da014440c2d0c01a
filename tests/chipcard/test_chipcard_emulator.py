"""The card emulator as the kiosk uses it: built from config by the device manager."""
from __future__ import annotations

import threading

import pytest

from drivers.base import DeviceEvent
from drivers.chipcard.emulator import VpcdCardEmulator, vpcd_reader_name
from kiosk.config import load_config
from kiosk.device_manager import DeviceManager
from kiosk.events import EventBus

pytestmark = pytest.mark.pcscd


@pytest.fixture
def chipcard_only_config(tmp_path):
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        '[kiosk]\ndata_dir = "var"\n'
        '[devices]\nreconnect_min_s = 0.05\nreconnect_max_s = 0.2\n'
        '[devices.chipcard]\nbackend = "emulator"\nreader = "Virtual PCD 00 00"\n'
        '[devices.chipcard.emulator]\nprofile = "two_apps"\nlatency_ms = 0\nvpcd_port = 35964\n'
        '[devices.idcard]\nenabled = false\n[devices.printer]\nenabled = false\n'
        '[devices.camera]\nenabled = false\n[devices.scanner]\nenabled = false\n',
        encoding="utf-8")
    return load_config(toml)


def test_actions_and_endpoint():
    emu = VpcdCardEmulator(port=35964)
    actions = {a.name: a for a in emu.actions()}
    assert set(actions) == {"insert_card", "remove_card"}
    assert {"unionpay_debit", "t0_chaining", "truncated_tlv"} <= set(actions["insert_card"].choices)
    assert emu.endpoint() == {"reader": "Virtual PCD 00 01"}
    assert vpcd_reader_name(35963) == "Virtual PCD 00 00"
    with pytest.raises(ValueError):
        emu.perform("unplug_everything")


def test_device_manager_drives_the_emulated_card(chipcard_only_config, empty_slot, until):
    bus = EventBus()
    inserted = threading.Event()
    bus.subscribe(lambda e: inserted.set(), DeviceEvent)
    manager = DeviceManager(chipcard_only_config, bus)
    manager.start()
    try:
        assert manager.wait_ready("chipcard", 5)
        reader = manager.device("chipcard")
        assert reader.reader_name == "Virtual PCD 00 01"   # the emulator's endpoint won
        until(lambda: manager.statuses()["chipcard"]["device"] == "online")
        manager.emulator("chipcard").perform("insert_card")   # the configured profile
        assert inserted.wait(3)
        card = reader.read_identity(lambda apps: apps[-1])
        assert card.pan == "6259650000000000041"
        assert [a.label for a in card.applications] == ["UnionPay Debit", "UnionPay Credit"]
    finally:
        manager.stop()
    assert manager.emulator("chipcard").inserted is None
