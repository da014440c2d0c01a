"""The serial driver against the emulator on a pty: reads, presence events, faults, baud, unplug."""
from __future__ import annotations

import logging
import threading
import time

import pytest

from drivers.base import DeviceEvent
from drivers.errors import DeviceTimeout, NoCardError, NoDeviceError, TransportError
from drivers.idcard.emulator import IdCardReaderEmulator
from drivers.idcard.errors import CardAuthenticationError, CardReadError, SamFault
from drivers.idcard.sam_serial import SamSerialReader
from drivers.status import DeviceState
from kiosk.config import KioskConfig

JIA_ID = "110101199003071030"  # the bank's invented test customer 测试甲


def names(events):
    return [e.name for e in events if isinstance(e, DeviceEvent)]


def test_open_reads_sam_status_and_id(reader):
    assert reader.status() == {"device": "online", "media": "unknown", "sam": "ok"}
    assert reader.sam_id == "05.01-20240101-0000012345-0123456789"
    assert reader.baud == 115200


@pytest.mark.parametrize("person, card_type", [("ceshi_jia", "resident"),
                                               ("foreign_tester", "I"), ("hk_tester", "J")])
def test_reads_each_card_type(reader, emulator, person, card_type):
    emulator.perform("place_card", person)
    record = reader.read_card()
    assert record.card_type == card_type
    assert record == reader.read_card()  # a second read gives the same document
    assert len(record.photo) == 1024
    assert names(reader.events) == ["MediaInsertedEvent"]


def test_the_bank_test_customer_with_extra_address_and_fingerprint(emulator):
    dev = SamSerialReader("idcard", port=str(emulator.link), fingerprint=True, timeout=1.0)
    emulator.perform("place_card", "ceshi_jia")
    with dev:
        record = dev.read_card()
        assert (record.name, record.id_number) == ("测试甲", JIA_ID)
        assert len(record.fingerprint) == 1024 and record.extra_address == ""
        emulator.perform("place_card", "zhang_ceshi")
        assert dev.read_card().extra_address == "北京市朝阳区演示路2号院3号楼"


def test_presence_poll_raises_media_events_only_on_change(reader, emulator):
    reader.poll()
    assert reader.status()["media"] == "notPresent" and names(reader.events) == []
    emulator.perform("place_card", "ceshi_bing")
    reader.poll()
    reader.poll()
    assert reader.status()["media"] == "present"
    emulator.perform("remove_card")
    reader.poll()
    reader.poll()
    assert names(reader.events) == ["MediaInsertedEvent", "MediaRemovedEvent"]
    assert reader.status()["media"] == "notPresent"


def test_stray_bytes_between_frames_are_skipped(reader, emulator):
    emulator.perform("stray_bytes", "on")
    emulator.perform("place_card", "ceshi_jia")
    for _ in range(5):
        assert reader.read_card().id_number == JIA_ID
        reader.poll()
    assert reader.status()["device"] == "online"


def test_corrupted_checksum_is_retried_once(reader, emulator, caplog):
    emulator.perform("place_card", "hk_tester")
    emulator.perform("corrupt_next_reply")
    with caplog.at_level(logging.WARNING):
        assert reader.read_card().name == "测试港"
    assert any("checksum mismatch" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("code, error", [("41", CardReadError), ("31", CardAuthenticationError)])
def test_card_failures_raise_card_errors(reader, emulator, code, error):
    emulator.perform("place_card", "ceshi_jia")
    emulator.perform("fail_next_read", code)
    with pytest.raises(error, match=f"SW3 {code}"):
        reader.read_card()
    assert reader.status()["sam"] == "ok"
    assert reader.read_card().id_number == JIA_ID


def test_sam_self_test_failure_marks_hardware_error_until_the_sam_answers(reader, emulator):
    emulator.perform("place_card", "ceshi_jia")
    emulator.perform("fail_next_read", "60")
    with pytest.raises(SamFault, match="SAM self-test failed"):
        reader.read_card()
    assert reader.status()["sam"] == "inoperative"
    assert reader.status()["device"] == "hardwareError"
    reader.poll()  # the SAM answers its status again
    assert reader.status()["sam"] == "ok" and reader.status()["device"] == "online"


def test_a_lasting_sam_fault_at_open_is_a_hardware_error_not_no_device(emulator):
    emulator.perform("sam_fault", "66")
    dev = SamSerialReader("idcard", port=str(emulator.link), timeout=1.0)
    with dev:
        assert dev.status() == {"device": "hardwareError", "media": "unknown",
                                "sam": "inoperative"}
        emulator.perform("place_card", "ceshi_jia")
        dev.poll()
        assert dev.status()["media"] == "unknown"  # no card reads while the SAM is down
        with pytest.raises(SamFault, match="SAM is not authorised"):
            dev.read_card()
        emulator.perform("sam_fault", "none")
        dev.poll()
        assert dev.status() == {"device": "online", "media": "present", "sam": "ok"}


def test_card_taken_away_mid_read(reader, emulator):
    emulator.perform("place_card", "zhang_ceshi")
    emulator.perform("take_away_mid_read")
    with pytest.raises(CardReadError, match="lay the card flat"):
        reader.read_card()
    reader.poll()
    assert names(reader.events) == ["MediaInsertedEvent", "MediaRemovedEvent"]


def test_read_waits_for_a_card_or_reports_none(reader, emulator):
    with pytest.raises(NoCardError, match="lay the ID card flat"):
        reader.read_card(wait=0.1)
    timer = threading.Timer(0.15, emulator.perform, ("place_card", "ceshi_yi"))
    timer.start()
    try:
        assert reader.read_card(wait=3).name == "测试乙"
    finally:
        timer.cancel()


def test_auto_baud_finds_a_reader_at_9600(tmp_path):
    emu = IdCardReaderEmulator(tmp_path / "slow.pty", baud=9600, pace=False, person="ceshi_jia")
    emu.start()
    try:
        with SamSerialReader("idcard", port=str(emu.link), baud="auto", timeout=1.0) as dev:
            assert dev.baud == 9600
            assert dev.read_card().id_number == JIA_ID
        fixed = SamSerialReader("idcard", port=str(emu.link), baud=115200, timeout=1.0)
        with pytest.raises(NoDeviceError, match="115200 baud"):
            fixed.open()
        assert fixed.status()["device"] == "noDevice"
    finally:
        emu.stop()


def test_a_silent_line_times_out_instead_of_hanging(emulator):
    dev = SamSerialReader("idcard", port=str(emulator.link), timeout=0.2)
    with dev:
        emulator._speed = 0  # the reader stops understanding the host
        started = time.monotonic()
        with pytest.raises(DeviceTimeout, match="no answer to find card"):
            dev.poll()
        assert time.monotonic() - started < 2
        assert dev.status()["device"] == "noDevice"


def test_unplug_is_no_device_and_reopen_works_after_replug(reader, emulator):
    emulator.perform("place_card", "ceshi_jia")
    emulator.perform("unplug")
    with pytest.raises(TransportError):
        reader.read_card()
    assert reader.status()["device"] == "noDevice"
    reader.close(DeviceState.NO_DEVICE)
    with pytest.raises(TransportError):
        reader.open()
    emulator.perform("replug")
    reader.open()
    assert reader.status()["device"] == "online"
    assert reader.read_card().id_number == JIA_ID


def test_from_config_resolves_the_port_against_the_config_file(tmp_path):
    config = KioskConfig(source=tmp_path / "kiosk.toml")
    section = config.devices.idcard      # the default port lives in the data folder
    expected = (tmp_path / "../var/run/idcard.pty").resolve()
    dev = SamSerialReader.from_config("idcard", section, config)
    assert dev.port == str(expected)
    assert (dev.baud_setting, dev.poll_interval) == ("auto", 0.25)
    emu = IdCardReaderEmulator.from_config(section, config)
    assert (emu.link, emu.baud) == (expected, 115200)
    relative = config.with_device("idcard", port="ports/id.pty")   # a path written in the file
    assert SamSerialReader.from_config("idcard", relative.devices.idcard, relative).port == \
        str((tmp_path / "ports/id.pty").resolve())


def test_no_log_line_carries_a_full_id_number(emulator, caplog):
    dev = SamSerialReader("idcard", port=str(emulator.link), timeout=1.0)
    full_numbers = {p.fields["id_number"] for p in emulator.people.values()}
    with caplog.at_level(logging.DEBUG):
        with dev:
            for person in sorted(emulator.people):
                emulator.perform("place_card", person)
                dev.read_card()
                dev.poll()
            emulator.perform("fail_next_read", "41")
            with pytest.raises(CardReadError):
                dev.read_card()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "read resident card 110101********1030" in text
    assert not [n for n in full_numbers if n in text]
