"""The emulated card profiles: invented, valid-looking data that matches the shared table."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from drivers.chipcard.card_profile import PROFILE_DIR, ProfileError, load_profile, profile_names
from drivers.chipcard.emulated_card import EmulatedCard

REQUIRED = {"unionpay_debit", "unionpay_credit", "t0_chaining", "two_apps", "expired",
            "blocked_app", "pin_blocked", "no_pse", "truncated_tlv"}


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def gb11643_ok(number: str) -> bool:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(number[:17], weights))
    return "10X98765432"[total % 11] == number[17]


def readme_rows() -> dict[str, list[str]]:
    rows = {}
    for line in (PROFILE_DIR / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"[a-z0-9_]+", cells[0]):
            rows[cells[0]] = cells
    return rows


def test_every_required_profile_exists_and_loads():
    names = set(profile_names())
    assert REQUIRED <= names
    for name in names:
        profile = load_profile(name)
        assert profile.applications and profile.atr[0] == 0x3B


@pytest.mark.parametrize("name", profile_names())
def test_invented_numbers_are_valid_and_documented(name):
    profile = load_profile(name)
    row = readme_rows()[name]
    for app in profile.applications:
        holder = app.cardholder
        assert holder.pan.startswith("62") and len(holder.pan) == 19 and luhn_ok(holder.pan)
        assert gb11643_ok(holder.id_number)
        assert holder.name.startswith("测试")
        assert holder.pan in row[1] and holder.id_number == row[3] and holder.name == row[2]
        assert str(holder.expiry) == row[4]
    assert profile.pin == row[5] == "123456"


def test_card_memory_survives_power_cycles():
    card = EmulatedCard(load_profile("unionpay_debit"))
    card.process(bytes.fromhex("00A4040008A000000333010101"))
    assert card.process(bytes.fromhex("002000800826111111FFFFFFFF")) == bytes.fromhex("63C2")
    card.power_up()
    card.process(bytes.fromhex("00A4040008A000000333010101"))
    assert card.process(bytes.fromhex("80CA9F1700")) == bytes.fromhex("9F1701029000")


def test_bad_profile_names_the_problem(tmp_path: Path):
    (tmp_path / "broken.toml").write_text('atr = "3B00"\n[[applications]]\naid = "A0"\n')
    with pytest.raises(ProfileError, match="broken.toml.*missing key 'card'"):
        load_profile("broken", tmp_path)
    with pytest.raises(ProfileError, match="no card profile 'nope'"):
        load_profile("nope", tmp_path)


@pytest.mark.parametrize("command, sw", [
    ("00B2010C00", "6985"),                       # READ RECORD with nothing selected
    ("80A80000028300", "6985"),                   # GPO with nothing selected
    ("00A4040007A0000003339999", "6A82"),         # unknown AID
    ("00A4010002A000", "6A86"),                   # SELECT by something else than name
    ("00CA9F1700", "6E00"),                       # GET DATA with the wrong class
    ("00FE000000", "6D00"),                       # unknown instruction
    ("00A40400", "6A82"),                         # SELECT without a name
    ("00A404000AA000", "6700"),                   # Lc longer than the data
    ("00C0000010", "6985"),                       # GET RESPONSE with nothing pending
])
def test_emulated_card_status_words(command, sw):
    card = EmulatedCard(load_profile("unionpay_debit"))
    assert card.process(bytes.fromhex(command))[-2:].hex().upper() == sw


def test_gpo_checks_pdol_length_and_runs_once():
    card = EmulatedCard(load_profile("unionpay_debit"))
    card.process(bytes.fromhex("00A4040008A000000333010101"))
    assert card.process(bytes.fromhex("80A80000028300"))[-2:] == bytes.fromhex("6700")
    gpo = bytes.fromhex("80A800000B830900000000000000015600")
    assert card.process(gpo)[-2:] == b"\x90\x00"
    assert card.process(gpo)[-2:] == bytes.fromhex("6985")
