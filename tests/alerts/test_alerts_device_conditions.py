"""Each emulated device fault is one condition: one staff alert and one journal row, and its
recovery resolves that alert once. The real emulators run under the real device manager; the
alert center and the journal listen on the kiosk's bus as KioskCore wires them."""
from __future__ import annotations

import contextlib
import time

import pytest

from kiosk.alerts import AlertCenter, AlertState
from kiosk.alerts.outbox import AlertOutbox
from kiosk.device_manager import DeviceManager
from kiosk.events import EventBus
from kiosk.journal import Journal, attach_device_events
from tests.harness import wait_for

from .conftest import PRINTER_SECTION as PRINTER
from .conftest import one_device_config

SETTLE_S = 0.6  # several poll intervals: a late second alert or row would show by then


class Rig:
    def __init__(self, manager: DeviceManager, center: AlertCenter, journal: Journal):
        self.manager, self.center, self.journal = manager, center, journal

    def status(self, device: str) -> dict[str, str]:
        return self.manager.statuses().get(device, {})

    def alerts(self, device: str) -> list:
        every = self.center.active() + self.center.history()
        return [a for a in every if a.kind == "fault" and a.device == device]

    def faults(self, device: str) -> list:
        return [r for r in self.journal.entries(kind_prefix="device.")
                if r.kind != "device.event" and r.fields.get("device") == device
                and r.fields.get("old") not in ("starting", "unknown", "")]

    def settled(self, device: str) -> tuple[int, int]:
        """(alerts, journal rows) once nothing changed for SETTLE_S."""
        last, since = None, time.monotonic()
        while time.monotonic() - since < SETTLE_S:
            now = (len(self.alerts(device)), len(self.faults(device)))
            if now != last:
                last, since = now, time.monotonic()
            time.sleep(0.05)
        return last


@contextlib.contextmanager
def running(tmp_path, device: str, section: str = ""):
    config = one_device_config(tmp_path, device, section)
    bus = EventBus()
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-C1", branch="B1")
    journal = Journal(tmp_path / "journal" / "journal.db")
    detach = [center.attach(bus), attach_device_events(journal, bus)]
    manager = DeviceManager(config, bus)
    manager.start()
    try:
        assert manager.wait_ready(device, 10)
        yield Rig(manager, center, journal)
    finally:
        manager.stop()
        for undo in detach:
            undo()
        journal.close()
        center.close()


@pytest.mark.parametrize("fault, recovery, code, row_field", [
    ("paper_out", "paper_replaced", "printer.paper.out", "paper"),
    ("cover_open", "cover_close", "printer.cover.open", "cover"),
    ("unplug", "replug", "printer.device.noDevice", "device"),
])
def test_each_printer_fault_is_one_alert_and_one_journal_row(tmp_path, fault, recovery, code,
                                                            row_field):
    with running(tmp_path, "printer", PRINTER) as rig:
        assert wait_for(lambda: rig.status("printer").get("device") == "online", 5)
        assert rig.settled("printer") == (0, 0)
        rig.manager.emulator("printer").perform(fault)
        assert wait_for(lambda: rig.alerts("printer"), 5)
        assert rig.settled("printer") == (1, 1)
        (alert,) = rig.alerts("printer")
        assert alert.code == code and alert.state is AlertState.RAISED
        (row,) = rig.faults("printer")
        assert row.kind == "device.fault" and row.fields["field"] == row_field

        rig.manager.emulator("printer").perform(recovery)
        assert wait_for(lambda: rig.status("printer").get("device") == "online", 5)
        assert rig.settled("printer") == (1, 2)
        (alert,) = rig.alerts("printer")
        assert alert.state is AlertState.RESOLVED and alert.data["resolved_by"] == "device"
        assert rig.faults("printer")[1].kind == "device.status"
        assert not rig.center.active()


def test_paper_out_is_not_a_second_alert_for_the_printers_user_error(tmp_path):
    """The defect: paper out raised printer.paper.out AND printer.device.userError."""
    with running(tmp_path, "printer", PRINTER) as rig:
        assert wait_for(lambda: rig.status("printer").get("device") == "online", 5)
        rig.manager.emulator("printer").perform("paper_out")
        assert wait_for(lambda: rig.status("printer").get("device") == "userError", 5)
        assert rig.settled("printer") == (1, 1)
        assert [a.code for a in rig.center.active()] == ["printer.paper.out"]
        # unplugged while the paper is out is a second fault, and says so
        rig.manager.emulator("printer").perform("unplug")
        assert wait_for(lambda: rig.status("printer").get("device") == "noDevice", 5)
        assert rig.settled("printer") == (2, 2)
        assert sorted(a.code for a in rig.center.active()) == [
            "printer.device.noDevice", "printer.paper.out"]


def test_id_reader_unplugged_is_one_alert_and_one_row(tmp_path):
    with running(tmp_path, "idcard", '[devices.idcard]\nport = "run/idcard.pty"\n') as rig:
        assert wait_for(lambda: rig.status("idcard").get("device") == "online", 10)
        assert rig.settled("idcard") == (0, 0)
        rig.manager.emulator("idcard").perform("unplug")
        assert wait_for(lambda: rig.alerts("idcard"), 5)
        assert rig.settled("idcard") == (1, 1)
        assert rig.alerts("idcard")[0].code == "idcard.device.noDevice"
        rig.manager.emulator("idcard").perform("replug")
        assert wait_for(lambda: rig.status("idcard").get("device") == "online", 10)
        assert rig.settled("idcard") == (1, 2)
        assert rig.alerts("idcard")[0].state is AlertState.RESOLVED


def test_camera_gone_is_one_alert_and_one_row(tmp_path):
    section = ('[devices.camera]\nbackend = "emulator"\nwidth = 640\nheight = 480\n'
               'stale_after_s = 0.6\n')
    with running(tmp_path, "camera", section) as rig:
        assert wait_for(lambda: rig.status("camera").get("camera") == "ok", 10)
        assert rig.settled("camera") == (0, 0)
        rig.manager.emulator("camera").perform("camera_down")
        assert wait_for(lambda: rig.status("camera").get("device") == "noDevice", 5)
        assert rig.settled("camera") == (1, 1)
        (alert,) = rig.alerts("camera")
        assert alert.code == "camera.camera.inoperative"
        rig.manager.emulator("camera").perform("camera_up")
        assert wait_for(lambda: rig.status("camera").get("camera") == "ok", 10)
        assert rig.settled("camera") == (1, 2)
        assert rig.alerts("camera")[0].state is AlertState.RESOLVED
        assert not rig.center.active()


def test_chip_card_reader_missing_in_pcscd_is_one_alert_and_one_row(tmp_path):
    """The machine's pcscd answers that the configured reader is not there (pcscd itself is
    never stopped: others use it). The reader reports device and chipPower noDevice: one
    condition. Taking a vpcd reader away while it runs needs pcscd stopped, so this is the
    reader being gone from the start."""
    section = '[devices.chipcard]\nbackend = "pcsc"\nreader = "No Such Reader 42"\n'
    with running(tmp_path, "chipcard", section) as rig:
        assert wait_for(lambda: rig.status("chipcard").get("device") == "noDevice", 5)
        time.sleep(SETTLE_S)
        (alert,) = rig.alerts("chipcard")
        assert alert.code == "chipcard.device.noDevice" and alert.state is AlertState.RAISED
        rows = [r for r in rig.journal.entries(kind="device.fault")
                if r.fields["device"] == "chipcard"]
        assert [(r.fields["field"], r.fields["new"]) for r in rows] == [("device", "noDevice")]
        assert rig.manager.device("chipcard").readers_seen  # pcscd answered: it lists others


@pytest.fixture
def pcscd_stoppable():
    """The machine's pcscd, which this test stops: started again afterwards whatever happens
    (hold /tmp/pcscd.lock while running it, as every pcscd test does)."""
    from drivers.chipcard.pcscd import ensure_pcscd, pcscd_running, stop_pcscd
    ensure_pcscd()
    try:
        yield stop_pcscd
    finally:
        ensure_pcscd()
        assert pcscd_running()


@pytest.mark.pcscd
def test_chip_card_reader_vanishing_at_runtime_is_one_alert_and_one_row(tmp_path,
                                                                       pcscd_stoppable):
    """The kiosk's chip-card driver runs on the vpcd reader (slot 01, its card emulator on);
    pcscd stops: the reader is gone (device and chipPower report noDevice: one condition, one
    alert, one journal row). pcscd starts again: the reader is back and the alert resolved."""
    section = ('[devices.chipcard]\nbackend = "pcsc"\nreader = "Virtual PCD 00 01"\n'
               '[devices.chipcard.emulator]\nlatency_ms = 0\nvpcd_port = 35964\n')
    with running(tmp_path, "chipcard", section) as rig:
        assert wait_for(lambda: rig.status("chipcard").get("device") == "online", 10)
        assert rig.settled("chipcard") == (0, 0)
        assert pcscd_stoppable()
        assert wait_for(lambda: rig.status("chipcard").get("device") == "noDevice", 5)
        assert rig.status("chipcard").get("chipPower") == "noDevice"
        assert rig.settled("chipcard") == (1, 1)
        (alert,) = rig.alerts("chipcard")
        assert alert.code == "chipcard.device.noDevice" and alert.state is AlertState.RAISED
        (row,) = rig.faults("chipcard")
        assert row.kind == "device.fault" and row.fields["field"] == "device"

        from drivers.chipcard.pcscd import ensure_pcscd
        ensure_pcscd()
        assert wait_for(lambda: rig.status("chipcard").get("device") == "online", 10)
        assert rig.settled("chipcard") == (1, 2)
        (alert,) = rig.alerts("chipcard")
        assert alert.state is AlertState.RESOLVED and alert.data["resolved_by"] == "device"
        assert rig.faults("chipcard")[1].kind == "device.status"
        assert not rig.center.active()
