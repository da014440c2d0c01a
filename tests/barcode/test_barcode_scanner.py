"""The serial scanner driver against the emulated scanner over a real pseudo-terminal."""
from __future__ import annotations

import threading

import pytest

from drivers.barcode.scanner_emulator import ScannerEmulator
from drivers.barcode.serial_scanner import SerialScanner, split_aim
from drivers.errors import NoDeviceError, TransportError

from .helpers import Recorder, only_device_config, running_manager, wait_for


def polled(scanner, predicate, timeout=3.0):
    def step():
        scanner.poll()
        return predicate()
    return wait_for(step, timeout)


@pytest.fixture
def make_rig(tmp_path):
    made = []

    def make(**options):
        link = tmp_path / "scanner.pty"
        emulator = ScannerEmulator(link, 9600, **options)
        emulator.start()
        scanner = SerialScanner("scanner", str(link), repeat_window_s=1.0, **options)
        events = Recorder()
        scanner.subscribe(events)
        made.append((emulator, scanner))
        return emulator, scanner, events
    yield make
    for emulator, scanner in made:
        scanner.close()
        emulator.stop()


def test_every_sample_arrives_exactly_once_including_chinese(make_rig):
    emulator, scanner, events = make_rig()
    scanner.open()
    assert scanner.status() == {"device": "online", "scanner": "on"}
    names = ["transfer_form", "appointment", "utility_bill_ean13"]
    for name in names:
        emulator.perform("scan", name)
    emulator.perform("scan", "appointment")  # scanned twice in a row: one read
    assert polled(scanner, lambda: len(events.codes()) >= 3)
    polled(scanner, lambda: False, 0.3)
    assert events.codes() == [("UNKNOWN", emulator.samples[n][1]) for n in names]


@pytest.mark.parametrize("framing", ["crlf", "lf"])
def test_framing_prefix_and_suffix_are_removed(make_rig, framing):
    emulator, scanner, events = make_rig(framing=framing, prefix="@", suffix="#")
    scanner.open()
    emulator.send_scan("BKR1|KSK-0001|receipt|RRN202611280001")
    emulator.write(b"no-prefix#" + emulator.line_end)  # noise: not a scan of this scanner
    emulator.send_scan("2011234567892")
    assert polled(scanner, lambda: len(events.codes()) >= 2)
    assert [t for _, t in events.codes()] == ["BKR1|KSK-0001|receipt|RRN202611280001",
                                              "2011234567892"]


def test_aim_identifiers_give_the_symbology(make_rig):
    emulator, scanner, events = make_rig()
    scanner.open()
    emulator.write(b"]Q1BKQ1|310101001|20261201|0930|Q7K2M9\r]E02011234567892\r")
    emulator.write(b"]C0UB101123456789202611000128005\r")
    assert polled(scanner, lambda: len(events.codes()) >= 3)
    assert events.codes() == [("QRCODE", "BKQ1|310101001|20261201|0930|Q7K2M9"),
                              ("EAN13", "2011234567892"),
                              ("CODE128", "UB101123456789202611000128005")]
    assert split_aim("]X9abc") == ("UNKNOWN", "abc") and split_aim("abc") == ("UNKNOWN", "abc")


@pytest.mark.parametrize("pause", [False, True])
def test_an_overlong_line_is_dropped_and_the_next_scan_is_clean(make_rig, pause):
    emulator, scanner, events = make_rig()
    emulator.pace = False
    scanner.open()
    emulator.write(b"x" * 5000)
    if pause:  # read (and dropped) before its line end arrives
        assert polled(scanner, lambda: scanner._discarding, 2)
    emulator.write(b"x" * 10 + b"\r")
    emulator.send_scan("2011234567892")
    assert polled(scanner, lambda: events.codes() == [("UNKNOWN", "2011234567892")])


def test_trigger_mode_scans_only_between_start_and_stop(make_rig):
    emulator, scanner, events = make_rig(trigger=True)
    scanner.open()
    assert scanner.status()["scanner"] == "off"
    emulator.perform("scan", "appointment")
    polled(scanner, lambda: False, 0.3)
    assert events.codes() == []
    scanner.start_scan()
    assert polled(scanner, lambda: len(events.codes()) == 1)
    assert emulator.armed
    scanner.stop_scan()
    assert wait_for(lambda: not emulator.armed)
    assert events.changes("scanner") == [("unknown", "off"), ("off", "on"), ("on", "off")]


def test_unplug_is_no_device_and_replug_reopens(make_rig):
    emulator, scanner, events = make_rig()
    scanner.open()
    emulator.perform("unplug")
    with pytest.raises(TransportError, match="scanner on .*scanner.pty"):
        polled(scanner, lambda: False, 2)
    assert scanner.status()["device"] == "noDevice"
    scanner.close(scanner.status()["device"])
    assert scanner.status()["scanner"] == "inoperative"
    with pytest.raises(NoDeviceError, match="check the scanner's cable"):
        scanner.open()
    emulator.perform("replug")
    scanner.open()
    emulator.perform("scan", "receipt")
    assert polled(scanner, lambda: len(events.codes()) == 1)


def test_device_manager_delivers_scans_and_survives_unplug(tmp_path):
    config = only_device_config(tmp_path, "scanner",
                                '[devices.scanner]\nbackend = "emulator"\nport = "run/s.pty"\n')
    with running_manager(config) as (manager, events):
        assert wait_for(lambda: manager.statuses()["scanner"]["device"] == "online")
        emulator = manager.emulator("scanner")
        emulator.perform("scan", "account_opening_form")
        assert wait_for(lambda: events.codes() == [
            ("UNKNOWN", emulator.samples["account_opening_form"][1])])
        emulator.perform("unplug")
        assert wait_for(lambda: manager.statuses()["scanner"] == {
            "device": "noDevice", "scanner": "inoperative"})
        emulator.perform("replug")
        assert wait_for(lambda: manager.statuses()["scanner"] == {
            "device": "online", "scanner": "on"})
    assert not [t for t in threading.enumerate() if t.name.startswith("dev-scanner")]


def test_logs_never_hold_the_card_or_id_number_of_a_scanned_form(make_rig, caplog):
    emulator, scanner, events = make_rig()
    caplog.set_level("DEBUG")
    scanner.open()
    emulator.send_scan("6222021234567890128")  # a bare card number held up to the scanner
    emulator.perform("scan", "account_opening_form")
    assert polled(scanner, lambda: len(events.codes()) == 2)
    assert "scanner" in caplog.text and "read" in caplog.text
    assert "6222021234567890128" not in caplog.text
    assert "110105199003071239" not in caplog.text
