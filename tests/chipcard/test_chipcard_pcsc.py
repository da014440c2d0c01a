"""PcscReader through the real stack: pcscd + vsmartcard-vpcd + the emulated card over TCP."""
from __future__ import annotations

import logging
import threading
import time

import pytest

from drivers.chipcard.card_errors import CardExpiredError, PinBlockedError, TlvError
from drivers.chipcard.pcsc import PcscReader
from drivers.chipcard.pcscd import ensure_pcscd, pcscd_running, stop_pcscd
from drivers.errors import DeviceTimeout, NoCardError

from .conftest import TEST_READER, TODAY

pytestmark = pytest.mark.pcscd


def _names(events):
    return [getattr(e, "name", None) or f"{e.field}={e.new}" for e in events]


def test_insert_read_remove_with_events(reader, emulator, until):
    assert reader.status() == {"device": "online", "media": "notPresent", "chipPower": "noCard"}
    emulator.insert_card("unionpay_debit")
    atr = reader.wait_for_card(3)
    assert atr == "3B8801554E494F4E50415992"
    inserted = [e for e in reader.events if getattr(e, "name", "") == "MediaInsertedEvent"]
    assert inserted[0].data == {"atr": atr}
    assert reader.status()["media"] == "present" and reader.status()["chipPower"] == "online"
    before = reader.apdu_count
    card = reader.read_identity()
    assert reader.apdu_count - before == 7
    assert card.pan_masked == "622202*********0018" and card.name == "测试甲"
    emulator.remove_card()
    until(lambda: reader.status()["media"] == "notPresent")
    assert _names(reader.events)[-3:] == ["media=notPresent", "chipPower=noCard",
                                          "MediaRemovedEvent"]
    with pytest.raises(NoCardError):
        reader.read_identity()


def test_t0_card_over_pcscd(reader, emulator):
    emulator.insert_card("t0_chaining")
    assert reader.wait_for_card(3) == "3B021450"
    card = reader.read_identity()
    assert card.pan == "6222020000000000034"
    assert reader.read_counters().ec_balance is not None


def test_swapped_card_gives_a_fresh_session(reader, emulator, until):
    emulator.insert_card("unionpay_debit")
    reader.wait_for_card(3)
    assert reader.read_identity().pan.endswith("0018")
    emulator.remove_card()
    until(lambda: reader.status()["media"] == "notPresent")
    emulator.insert_card("unionpay_credit")
    reader.wait_for_card(3)
    assert reader.read_identity().pan.endswith("0025")


def test_pin_and_error_reasons_name_the_reader(reader, emulator, until):
    emulator.insert_card("pin_blocked")
    reader.wait_for_card(3)
    reader.read_identity()
    with pytest.raises(PinBlockedError) as info:
        reader.verify_pin("123456")
    assert info.value.device == "test-chipcard" and info.value.port == TEST_READER
    emulator.remove_card()
    until(lambda: reader.status()["media"] == "notPresent")
    emulator.insert_card("truncated_tlv")
    reader.wait_for_card(3)
    with pytest.raises(TlvError) as info:
        reader.read_identity()
    assert "test-chipcard on Virtual PCD 00 01" in str(info.value)


def test_apdu_trace_is_masked(reader, emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="drivers.chipcard")
    emulator.insert_card("unionpay_debit")
    reader.wait_for_card(3)
    reader.read_identity()
    assert reader.verify_pin("123456").ok
    trace = [r.getMessage() for r in caplog.records if " APDU " in r.getMessage()]
    assert sum(" -> " in line for line in trace) == 9   # 7 identity, GET DATA 9F17, VERIFY
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("6222020000000000018", "110101199003071030", "123456FF",
                   "3131303130313139393030333037313033"):   # ID number as ASCII hex
        assert secret not in text
    assert "622202*********0018" in text and "<PIN block hidden>" in text


def test_expired_card_over_pcscd(reader, emulator):
    emulator.insert_card("expired")
    reader.wait_for_card(3)
    with pytest.raises(CardExpiredError) as info:
        reader.read_identity()
    assert info.value.card_data.pan_masked.endswith("0059")


def test_slow_card_hits_the_apdu_timeout_without_hanging(emulator):
    dev = PcscReader("test-chipcard", reader=TEST_READER, timeout=3.0, apdu_timeout=0.2,
                     today=lambda: TODAY)
    dev.open()
    try:
        emulator.latency_ms = 600
        emulator.insert_card("unionpay_debit")
        dev.wait_for_card(3)
        started = time.monotonic()
        with pytest.raises(DeviceTimeout):
            dev.read_identity()
        assert time.monotonic() - started < 0.5
    finally:
        emulator.remove_card()
        dev.close()


def test_unknown_reader_reports_no_device(pcscd):
    dev = PcscReader("test-chipcard", reader="*No Such Reader*", timeout=1.0)
    dev.open()
    try:
        assert dev.status()["device"] == "noDevice"
        assert TEST_READER in dev.readers_seen
        dev.poll()  # the watcher keeps looking; polling does not raise
        with pytest.raises(NoCardError):
            dev.wait_for_card(0.05)
    finally:
        dev.close()


def test_pcscd_restart_is_recovered_within_two_seconds(reader, emulator, until):
    """Stops the machine's pcscd and starts it again (it is running again afterwards)."""
    emulator.insert_card("unionpay_debit")
    reader.wait_for_card(3)
    try:
        assert stop_pcscd()
        lost = until(lambda: reader.status()["device"] == "noDevice", timeout=2)
        assert lost < 2
        assert reader.status()["chipPower"] == "noDevice"
    finally:
        ensure_pcscd()
    back = until(lambda: reader.status()["media"] == "present", timeout=2)
    assert back < 2 and reader.status()["device"] == "online"
    reader.poll()
    watchers = [t for t in threading.enumerate() if t.name.startswith("test-chipcard")]
    assert {t.name for t in watchers} == {"test-chipcard-watch", "test-chipcard-io"}
    assert all(t.is_alive() for t in watchers)
    assert reader.read_identity().pan.endswith("0018")
    assert pcscd_running()


def test_watcher_survives_a_broken_listener_and_poll_restarts_a_stopped_one(reader, emulator):
    reader.subscribe(lambda event: 1 / 0)          # a subscriber that always fails
    emulator.insert_card("unionpay_debit")
    reader.wait_for_card(3)
    assert reader._watcher.alive
    reader._watcher.stop()                         # as if the thread had died
    assert not reader._watcher.alive
    reader.poll()
    assert reader._watcher.alive
    assert reader.read_identity().pan.endswith("0018")


def test_close_and_open_again_as_the_device_manager_does(reader, emulator):
    emulator.insert_card("unionpay_debit")
    reader.wait_for_card(3)
    reader.close()
    assert reader.status()["device"] == "offline" and reader.atr is None
    reader.open()
    assert reader.status()["device"] == "online"
    reader.wait_for_card(3)
    assert reader.read_identity().pan.endswith("0018")
