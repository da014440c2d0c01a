"""The technician screen offscreen: PIN, live status, printer self-test, bundle export."""
from __future__ import annotations

import time
import zipfile

import pytest

from kiosk.alerts import AlertCenter
from kiosk.config import load_config
from kiosk.console.passwords import hash_password
from kiosk.device_manager import DeviceManager
from kiosk.events import EventBus
from kiosk.journal import Journal
from kiosk.technician import DeviceCounters, TechnicianGate

pytestmark = pytest.mark.ui
PIN = "135790"


@pytest.fixture(scope="module")
def window():
    from kivy.base import EventLoop
    from kivy.core.window import Window
    EventLoop.ensure_window()
    return Window


def pump(until, timeout=5.0):
    from kivy.base import EventLoop
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        EventLoop.idle()
        if until():
            return True
        time.sleep(0.01)
    return until()


def tap(widget):
    from kivy.tests.common import UnitTestTouch
    touch = UnitTestTouch(*widget.to_window(*widget.center))
    touch.touch_down()
    touch.touch_up()


@pytest.fixture
def kiosk(tmp_path):
    disabled = "".join(f"[devices.{n}]\nenabled = false\n"
                       for n in ("chipcard", "idcard", "camera", "scanner"))
    (tmp_path / "kiosk.toml").write_text(
        f'[kiosk]\nid = "KSK-T7"\ndata_dir = "{tmp_path}/var"\n{disabled}'
        '[devices.printer]\nport = "var/run/printer.pty"\n[devices.printer.emulator]\n'
        f'pace = false\noutput_dir = "var/receipts"\n[technician]\npin_hash = '
        f'"{hash_password(PIN)}"\n', encoding="utf-8")
    config = load_config(tmp_path / "kiosk.toml")
    bus = EventBus()
    center = AlertCenter.from_config(config)
    detach = center.attach(bus)
    counters = DeviceCounters()
    counters.attach(bus)
    journal = Journal(tmp_path / "journal.db")
    manager = DeviceManager(config, bus)
    manager.start()
    assert manager.wait_ready("printer", 10)
    gate = TechnicianGate.from_config(config, journal=journal, alerts=center)
    yield config, bus, center, counters, manager, gate, journal
    detach()
    manager.stop()
    journal.close()
    center.close()


def test_pin_then_status_self_test_and_export(window, kiosk, tmp_path):
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    from screens import technician
    config, bus, center, counters, manager, gate, journal = kiosk
    technician.load_kv()
    screen = technician.TechnicianScreen(gate=gate, devices=manager, bus=bus, config=config,
                                         alerts=center, counters=counters, name="technician",
                                         export_dir=tmp_path / "usb")
    exits = []
    screen.bind(on_exit=lambda *_: exits.append(True))
    manager_widget = ScreenManager(transition=NoTransition())
    manager_widget.add_widget(screen)
    manager_widget.add_widget(Screen(name="attract"))
    window.add_widget(manager_widget)
    try:
        assert pump(lambda: screen.ids.pin_input.width > 50)
        screen.ids.pin_input.text = PIN
        tap(screen.ids.pin_enter)  # no technician card or gesture yet: refused, not counted
        assert pump(lambda: "5 tries left" in screen.pin_message) and not screen.unlocked
        assert [gate.corner_touched(c) for c in config.technician.gesture][-1] is True
        screen.ids.pin_input.text = "000000"
        tap(screen.ids.pin_enter)
        assert pump(lambda: "4 tries left" in screen.pin_message)
        assert not screen.unlocked and screen.status_text == ""
        screen.ids.pin_input.text = PIN
        tap(screen.ids.pin_enter)
        assert pump(lambda: "printer: device=online" in screen.status_text)

        panels = screen.ids.panels
        panels.switch_to(panels.tab_list[-2])  # tab_list runs right to left: Self-test
        assert pump(lambda: screen.ids.test_printer.get_root_window() is not None)
        tap(screen.ids.test_printer)
        assert pump(lambda: "printer: OK" in screen.test_result, 15), screen.test_result
        assert pump(lambda: "receipts printed: 1" in screen.counters_text)

        panels.switch_to(panels.tab_list[0])  # Export
        assert pump(lambda: screen.ids.export_button.get_root_window() is not None)
        tap(screen.ids.export_button)
        assert pump(lambda: screen.export_result.startswith("written:"), 10)
        bundle = screen.export_result.split(": ", 1)[1]
        with zipfile.ZipFile(bundle) as zf:
            assert "statuses.json" in zf.namelist()
            assert config.technician.pin_hash not in zf.read("config.json").decode()

        tap(screen.ids.exit_button)
        assert pump(lambda: exits == [True])
        manager_widget.current = "attract"  # what the shell does on exit
        assert pump(lambda: not screen.unlocked)
        kinds = [e.kind for e in journal.entries(kind_prefix="technician.")]
        assert kinds == ["technician.pin_failed", "technician.entry", "technician.exit"]
    finally:
        window.remove_widget(manager_widget)
