"""Operator alerts no single device status gives, each provoked for real: a printer whose cover
is opened and closed again and again (the emulator over its pty), a journal copy with a row
changed behind its back, a data disk with little room left (statvfs injected: an OS edge)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import time

import pytest

from drivers.base import StatusChanged
from kiosk.alerts import AlertCenter, Severity
from kiosk.alerts.signals import OperatorSignals
from kiosk.config import load_config
from kiosk.device_manager import DeviceManager
from kiosk.events import EventBus
from kiosk.journal import Journal
from tests.harness import EventRecorder, wait_for

from .conftest import one_device_config


@pytest.fixture
def kiosk(tmp_path):
    disabled = "".join(f"[devices.{n}]\nenabled = false\n"
                       for n in ("chipcard", "idcard", "camera", "scanner"))
    (tmp_path / "kiosk.toml").write_text(
        f'[kiosk]\nid = "KSK-S1"\ndata_dir = "{tmp_path}/var"\n{disabled}'
        '[devices.printer]\nport = "var/run/printer.pty"\npoll_interval_s = 0.05\n'
        '[devices.printer.emulator]\npace = false\noutput_dir = "var/receipts"\n',
        encoding="utf-8")
    config = load_config(tmp_path / "kiosk.toml")
    center = AlertCenter.from_config(config)
    yield config, center
    center.close()


def flapping(center) -> list:
    return [a for a in center.active() if a.code == "device.flapping"]


def watched_devices(config, center) -> tuple[DeviceManager, EventRecorder]:
    """The configured devices with the flapping signal (at six changes) watching them, and a
    recorder of every raw status change."""
    bus = EventBus()
    signals = OperatorSignals(center, data_dir=config.data_dir, flap_changes=6)
    bus.subscribe(signals.on_status, StatusChanged)
    fields = EventRecorder()
    bus.subscribe(fields, StatusChanged)
    return DeviceManager(config, bus), fields


def test_a_flapping_printer_is_one_alert(kiosk):
    """Each cover open and close is one change of condition (the printer's device field going
    to userError and back with it is the same condition, not two more changes): two rounds are
    four changes, not flapping at six; the third round is."""
    config, center = kiosk
    manager, fields = watched_devices(config, center)
    manager.start()
    try:
        assert manager.wait_ready("printer", 10)
        emulator = manager.emulator("printer")
        for round_ in range(3):
            for action, value in (("cover_open", "open"), ("cover_close", "closed")):
                emulator.perform(action)
                assert wait_for(lambda: manager.statuses()["printer"].get("cover") == value
                                and manager.statuses()["printer"].get("device") ==
                                ("userError" if value == "open" else "online"), 5), value
            if round_ == 1:
                time.sleep(0.3)
                raw = [e for e in fields.events if e.old not in ("unknown", "starting")]
                assert len(raw) >= 8            # cover and device, both ways, twice
                assert not flapping(center)
    finally:
        manager.stop()
    (alert,) = flapping(center)
    assert alert.device == "printer" and alert.severity is Severity.WARNING


def test_cards_coming_and_going_are_not_flapping(tmp_path):
    """An ID card laid on the reader and lifted again changes the reader's media field, no
    condition: many customers in a minute are not a flapping reader."""
    config = one_device_config(tmp_path, "idcard", '[devices.idcard]\nport = "run/idcard.pty"\n'
                               '[devices.idcard.emulator]\npace = false\n')
    center = AlertCenter.from_config(config)
    manager, fields = watched_devices(config, center)
    manager.start()
    try:
        assert manager.wait_ready("idcard", 10)
        assert wait_for(lambda: manager.statuses()["idcard"].get("media") == "notPresent", 10)
        emulator = manager.emulator("idcard")
        for _ in range(4):
            for action, args, value in (("place_card", ("ceshi_jia",), "present"),
                                        ("remove_card", (), "notPresent")):
                emulator.perform(action, *args)
                assert wait_for(lambda: manager.statuses()["idcard"].get("media") == value, 5)
        time.sleep(0.3)
        assert len(fields.changes("media")) >= 8
        assert not flapping(center)
        # the reader itself coming and going is flapping
        for _ in range(3):
            for action, value in (("unplug", "noDevice"), ("replug", "online")):
                emulator.perform(action)
                assert wait_for(lambda: manager.statuses()["idcard"].get("device") == value,
                                10), value
        (alert,) = flapping(center)
        assert alert.device == "idcard"
    finally:
        manager.stop()
        center.close()


def test_a_journal_broken_behind_the_kiosks_back_is_a_critical_alert(kiosk, tmp_path):
    config, center = kiosk
    journal = Journal.from_config(config)
    for n in range(3):
        journal.record("session_start", language="zh_CN", n=n)
    signals = OperatorSignals(center, data_dir=config.data_dir)
    assert signals.check_journal(journal)
    assert not center.active()
    journal.close()
    copy = tmp_path / "copy"
    shutil.copytree(config.data_dir, copy)
    conn = sqlite3.connect(copy / "journal.db")
    conn.execute("DROP TRIGGER IF EXISTS journal_no_update")
    conn.execute("UPDATE journal SET body = replace(body, '\"n\":1', '\"n\":7') WHERE id = 2")
    conn.commit()
    conn.close()
    copied = load_config(tmp_path / "kiosk.toml")
    os.replace(config.data_dir, tmp_path / "original")
    os.replace(copy, config.data_dir)
    broken = Journal.from_config(copied)
    try:
        assert not signals.check_journal(broken)
    finally:
        broken.close()
    (alert,) = center.active()
    assert alert.code == "journal.chain_broken" and alert.severity is Severity.CRITICAL
    assert "row 2" in alert.message


def test_data_disk_nearly_full_and_back(kiosk):
    config, center = kiosk
    config.data_dir.mkdir(parents=True, exist_ok=True)
    real = os.statvfs(config.data_dir)
    free = {"blocks": real.f_blocks // 20}   # 5 % free

    class Vfs:
        def __init__(self, path):
            self.f_blocks, self.f_frsize = real.f_blocks, real.f_frsize
            self.f_bavail = free["blocks"]

    signals = OperatorSignals(center, data_dir=config.data_dir, statvfs=Vfs)
    assert signals.check_disk() < 0.1
    (alert,) = center.active()
    assert alert.code == "disk.nearly_full" and "free" in alert.message
    free["blocks"] = real.f_blocks // 2
    assert signals.check_disk() > 0.4
    assert not center.active()
