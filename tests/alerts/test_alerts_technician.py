"""Technician entry (card or gesture + PIN, lockout, journal), counters, diagnostics bundle."""
from __future__ import annotations

import json
import zipfile

import pytest

from drivers.base import DeviceEvent, StatusChanged
from kiosk.alerts import AlertCenter, Severity
from kiosk.alerts.outbox import AlertOutbox
from kiosk.config import TechnicianSection, load_config
from kiosk.console.passwords import hash_password
from kiosk.events import EventBus
from kiosk.journal import Journal
from kiosk.technician import (DeviceCounters, TechnicianGate, corner_of, export_bundle,
                              recent_log_lines)

TECH_PAN = "6214830000000009"     # invented, valid Luhn digit
CUSTOMER_PAN = "6222021234567890128"
PIN = "864209"


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def pin_hash():
    return hash_password(PIN)


@pytest.fixture
def parts(tmp_path, pin_hash):
    clock = Clock()
    journal = Journal(tmp_path / "journal.db")
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-T5", branch="B1")
    section = TechnicianSection(cards=[TECH_PAN], pin_hash=pin_hash, lockout_s=600)
    make = lambda: TechnicianGate(section, state_path=tmp_path / "tech.json", journal=journal,
                                  alerts=center, clock=clock)
    yield make, clock, journal, center
    center.close()
    journal.close()


def test_five_wrong_pins_lock_technician_mode_even_across_a_restart(parts):
    make, clock, journal, center = parts
    gate = make()
    assert not gate.card_presented(CUSTOMER_PAN)
    assert gate.card_presented(TECH_PAN)
    assert [gate.check_pin("000000").tries_left for _ in range(4)] == [4, 3, 2, 1]
    locked = gate.check_pin("111111")
    assert not locked.ok and locked.locked_for_s == 600
    assert not gate.check_pin(PIN).ok  # the right PIN does not open a locked gate

    restarted = make()
    clock.now += 599
    assert restarted.locked_for_s == pytest.approx(1) and not restarted.check_pin(PIN).ok
    clock.now += 2
    assert restarted.card_presented(TECH_PAN) and restarted.check_pin(PIN).ok

    kinds = [e.kind for e in journal.entries(kind_prefix="technician.")]
    assert kinds == ["technician.pin_failed"] * 5 + ["technician.locked", "technician.entry"]
    rows = json.dumps([e.fields for e in journal.entries()])
    assert PIN not in rows and "000000" not in rows and TECH_PAN not in rows
    assert json.loads(rows)[-1]["via"] == "card 621483******0009"
    (alert,) = center.active()
    assert alert.code == "technician.pin.locked" and alert.severity is Severity.CRITICAL


def test_hidden_gesture_needs_the_corners_in_order_and_in_time(parts):
    make, clock, journal, _ = parts
    gate = make()
    w, h = 1280, 800
    corners = {"tl": (5, 795), "tr": (1275, 795), "br": (1275, 5), "bl": (5, 5)}
    assert corner_of(640, 400, w, h) is None
    sequence = ["tl", "tr", "br", "bl", "tl"]
    results = []
    for name in sequence:
        clock.now += 0.5
        results.append(gate.corner_touched(corner_of(*corners[name], w, h)))
    assert results == [False] * 4 + [True]
    for name in sequence:  # too slow: 2 s per touch, 5 s window
        clock.now += 2.0
        assert not gate.corner_touched(name)
    assert gate.check_pin(PIN).ok
    assert [e.fields["via"] for e in journal.entries(kind="technician.entry")] == ["gesture"]


def test_counters_follow_device_events_and_faults(parts):
    _, _, _, center = parts
    bus = EventBus()
    center.attach(bus)
    counters = DeviceCounters()
    counters.attach(bus)
    bus.publish(DeviceEvent("chipcard", "chipcard", "MediaInsertedEvent", {"atr": "3B02"}))
    bus.publish(DeviceEvent("idcard", "idcard", "MediaInsertedEvent"))
    bus.publish(DeviceEvent("printer", "printer", "MediaPresentedEvent", {"pages": 2}))
    bus.publish(DeviceEvent("scanner", "scanner", "CodeReadEvent", {"text": "x"}))
    bus.publish(StatusChanged("printer", "printer", "paper", "full", "out"))
    assert counters.snapshot() == {"cards_read": 1, "id_cards_read": 1, "receipts_printed": 1,
                                   "pages_printed": 2, "codes_scanned": 1, "faults": 1}
    counters.detach()


def test_diagnostics_bundle_holds_no_secret(tmp_path, pin_hash):
    secrets = {"fleet": "fleet-pass-Zx81", "ding": "SECdingtalk-77aa", "wecom": "wecomkey-5521",
               "term": "00112233445566778899AABBCCDDEEFF"}
    (tmp_path / "kiosk.toml").write_text(f"""
[kiosk]
id = "KSK-T5"
data_dir = "{tmp_path}/var"
[host]
terminal_key_hex = "{secrets['term']}"
[fleet]
mqtt_url = "mqtts://kiosk5:{secrets['fleet']}@broker.example:8883"
password = "{secrets['fleet']}"
[console.staff]
"王测试" = "{pin_hash}"
[notify]
wecom_webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={secrets['wecom']}"
dingtalk_secret = "{secrets['ding']}"
[technician]
cards = ["{TECH_PAN}"]
pin_hash = "{pin_hash}"
""", encoding="utf-8")
    config = load_config(tmp_path / "kiosk.toml")
    (config.data_dir / "log").mkdir(parents=True)
    (config.data_dir / "log" / "kiosk.log").write_text(
        f"INFO x: connecting with {secrets['fleet']}\nINFO y: card {CUSTOMER_PAN} read\n"
        f"INFO z: tech card {TECH_PAN}\n", encoding="utf-8")
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-T5", branch="B1")
    center.raise_help("lost card")
    try:
        path = export_bundle(config, tmp_path / "out", alerts=center,
                             statuses={"printer": {"device": "online", "paper": "low"}})
    finally:
        center.close()
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        everything = "\n".join(zf.read(n).decode() for n in names)
        config_json = json.loads(zf.read("config.json"))
    assert {"config.json", "statuses.json", "alerts.json", "logs/kiosk.log"} <= set(names)
    for secret in [*secrets.values(), pin_hash, TECH_PAN, CUSTOMER_PAN]:
        assert secret not in everything, secret
    assert config_json["fleet"]["mqtt_url"] == "mqtts://broker.example:8883"
    assert config_json["fleet"]["password"] == "[redacted]"
    assert config_json["kiosk"]["id"] == "KSK-T5"
    assert "622202*********0128" in everything and '"paper": "low"' in everything
    assert "lost card" in everything
    lines = recent_log_lines(config, 2)
    assert len(lines) == 2 and "622202*********0128" in lines[0]
