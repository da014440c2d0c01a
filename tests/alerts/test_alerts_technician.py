"""Technician entry (card or gesture + PIN, lockout, journal), counters, diagnostics bundle."""
from __future__ import annotations

import json
import zipfile

import pytest

from drivers.base import DeviceEvent, StatusChanged
from kiosk.alerts import AlertCenter, Severity
from kiosk.alerts.outbox import AlertOutbox
from kiosk.config import ConfigError, TechnicianSection, load_config
from kiosk.console.passwords import hash_password
from kiosk.events import EventBus
from kiosk.journal import Journal
from kiosk.technician import (DeviceCounters, TechnicianGate, card_digest, corner_of,
                              export_bundle, recent_log_lines)
from kiosk.technician_lockout import TechnicianLockout

TECH_PAN = "6214830000000009"     # invented, valid Luhn digit
CUSTOMER_PAN = "6222021234567890128"
PIN = "864209"
CARD_KEY = bytes(range(32))
BOOT = "boot-1"


class Clock:
    """The boot clock: monotonic seconds since boot."""
    def __init__(self):
        self.now = 5_000.0

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
    section = TechnicianSection(cards=[card_digest(TECH_PAN, CARD_KEY)], pin_hash=pin_hash,
                                lockout_s=600)

    def make(boot=BOOT):
        lockout = TechnicianLockout(journal, max_failures=section.max_failures,
                                    lockout_s=section.lockout_s, clock=clock, boot_id=boot)
        return TechnicianGate(section, journal=journal, alerts=center, card_key=CARD_KEY,
                              clock=clock, lockout=lockout)
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
    assert kinds == ["technician.pin_failed"] * 5 + ["technician.locked",
                                                     "technician.lock_expired",
                                                     "technician.entry"]
    rows = json.dumps([e.fields for e in journal.entries()])
    assert PIN not in rows and "000000" not in rows and TECH_PAN not in rows
    assert json.loads(rows)[-1]["via"] == "card 621483******0009"
    (alert,) = center.active()
    assert alert.code == "technician.pin.locked" and alert.severity is Severity.CRITICAL


def test_deleting_or_corrupting_lock_files_does_not_reset_the_lockout(parts, tmp_path):
    """Issue 16: with a shell on the data folder, removing or rewriting technician_lock.json
    reset the lockout. The lock now lives in the journal, whose chain shows any row removed."""
    make, clock, journal, _ = parts
    gate = make()
    assert gate.card_presented(TECH_PAN)
    for _ in range(5):
        gate.check_pin("000000")
    assert gate.locked_for_s == pytest.approx(600)
    for leftover in tmp_path.glob("technician*"):
        leftover.unlink()
    (tmp_path / "technician_lock.json").write_text('{"failures": 0, "locked_until": 0}')
    restarted = make()
    assert restarted.card_presented(TECH_PAN)
    check = restarted.check_pin(PIN)
    assert not check.ok and check.locked_for_s == pytest.approx(600)
    assert journal.verify().ok


def test_lockout_runs_on_the_boot_clock_and_a_reboot_never_shortens_it(parts):
    make, clock, journal, _ = parts
    gate = make()
    gate.card_presented(TECH_PAN)
    for _ in range(5):
        gate.check_pin("000000")
    clock.now += 500          # 100 s left in this boot (a wall-clock jump changes nothing)
    assert make().locked_for_s == pytest.approx(100)
    clock.now = 3.0           # rebooted: the boot clock starts again, the lockout in full
    rebooted = make(boot="boot-2")
    assert rebooted.locked_for_s == pytest.approx(600)
    assert [e.kind for e in journal.entries(kind_prefix="technician.lock")] == [
        "technician.locked", "technician.lock_resumed"]
    clock.now += 300          # and a restart later in that boot keeps counting
    assert make(boot="boot-2").locked_for_s == pytest.approx(300)


def test_wrong_pins_count_across_restarts(parts):
    make, _, _, _ = parts
    gate = make()
    gate.card_presented(TECH_PAN)
    for _ in range(3):
        gate.check_pin("000000")
    restarted = make()
    restarted.card_presented(TECH_PAN)
    assert restarted.check_pin("000000").tries_left == 1


def test_technician_cards_are_compared_as_keyed_hashes(parts, tmp_path):
    make, _, _, _ = parts
    assert make().is_technician_card("6214 8300 0000 0009")
    other_key = TechnicianGate(TechnicianSection(cards=[card_digest(TECH_PAN, CARD_KEY)]),
                               card_key=bytes(32))
    assert not other_key.is_technician_card(TECH_PAN)
    (tmp_path / "kiosk.toml").write_text(f'[technician]\ncards = ["{TECH_PAN}"]\n')
    with pytest.raises(ConfigError, match="cards"):
        load_config(tmp_path / "kiosk.toml")


def test_a_weak_pin_hash_is_refused_at_start_up(tmp_path):
    weak = "scrypt$16384$8$1$GLNGhhhn501vM1d5rNgW4w==$ovr8Mf5PRes+AWL+la+k7ms56Bo1Jpj/aT/ND94RQhU="
    (tmp_path / "kiosk.toml").write_text(f'[technician]\npin_hash = "{weak}"\n')
    with pytest.raises(ConfigError, match="2\\^17"):
        load_config(tmp_path / "kiosk.toml")
    assert hash_password(PIN).startswith("scrypt$131072$")


def test_long_press_in_the_configured_corner_opens_the_pin_prompt(parts):
    make, clock, journal, _ = parts
    gate = make()
    w, h = 1280, 800
    assert corner_of(640, 400, w, h) is None and corner_of(5, 795, w, h) == "tl"
    assert not gate.corner_held("tr", 5.0)
    assert not gate.corner_held("tl", 1.0)
    assert not gate.check_pin(PIN).ok        # no PIN without a way in first
    assert gate.corner_held("tl", 3.2)
    assert gate.check_pin(PIN).ok
    assert [e.fields["via"] for e in journal.entries(kind="technician.entry")] == ["corner tl"]


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
                                   "pages_printed": 2, "pages_since_roll_change": 2,
                                   "codes_scanned": 1, "faults": 1}
    counters.new_paper_roll()
    assert counters.snapshot()["pages_since_roll_change"] == 0
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
cards = ["{card_digest(TECH_PAN, CARD_KEY)}"]
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
