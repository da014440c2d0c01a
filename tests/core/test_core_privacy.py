import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from drivers.idcard.id_number import check_digit
from drivers.barcode.scanned_codes import luhn_digit
from drivers.privacy import (is_card_number, luhn_ok, mask_code_text, mask_name, mask_number,
                           scrub)

CARD = "6222020000000000018"
ID = "110101199003071030"


def test_card_and_id_numbers_keep_first_six_and_last_four():
    assert mask_number("6222020000000000018") == "622202*********0018"
    assert mask_number("11010119900307103X") == "110101********103X"
    assert mask_number("1234") == "1234"
    assert mask_number("12345678") == "********"


def test_names_are_masked_for_payee_confirmation():
    assert mask_name("张三") == "*三"
    assert mask_name("欧阳小明") == "欧**明"


def test_scrub_masks_card_and_id_numbers_and_leaves_other_numbers():
    text = "card 6222020000000000018 id 110101199003071030 amount 100000 ref 20261128"
    out = scrub(text)
    assert "6222020000000000018" not in out and "622202*********0018" in out
    assert "110101199003071030" not in out and "110101********1030" in out
    assert "amount 100000" in out and "20261128" in out


@pytest.mark.parametrize("text, expected", [
    # what the issue saw masked that is no card
    ("ts=1764786303663", "ts=1764786303663"),
    ("seconds=0.0109827598347098", "seconds=0.0109827598347098"),
    ("EAN 6901234567892 read", "EAN 6901234567892 read"),
    ("rrn 263370000012 stan 000123", "rrn 263370000012 stan 000123"),
    ("period 2026-11-01 2026-11-30", "period 2026-11-01 2026-11-30"),
    # what it let through
    ("6222 0200 0000 0000 018", "622202*********0018"),
    ("6222-0200-0000-0000-018", "622202*********0018"),
    ("PAN6222020000000000018", "PAN622202*********0018"),
    ("6222020000000000018D31122011234", "622202*********0018D31122011234"),
    ("5A0A6222020000000000018F5F2403311231", "5A0A622202*********0018F5F2403311231"),
    ("5A0862220200000000155F2403311231", "5A08622202******00155F2403311231"),
    ("570E6222020000000000018D3112201F", "570E622202*********0018D3112201F"),
    ("622202000000000001801", "622202*********001801"),
    ("permit CAN110090010015.", "permit CAN110*****0015."),
    ("tel 13812341234", "tel 138****1234"),
    ("id 110101 19900307 1030", "id 110101********1030"),
    ("card 6222020000000000018 100 yuan", "card 622202*********0018 100 yuan"),
])
def test_scrub_decides_by_what_a_value_is(text, expected):
    assert scrub(text) == expected


def test_code_text_masks_card_and_id_numbers_only_and_never_a_product_code():
    ean = "6901234567892"
    luhn_ean = next(f"69{n:010d}" + c for n in range(1000) for c in "0123456789"
                    if _ean_ok(f"69{n:010d}" + c) and luhn_ok(f"69{n:010d}" + c))
    assert mask_code_text("EAN13", ean) == ean
    assert mask_code_text("EAN13", luhn_ean) == luhn_ean
    assert mask_code_text("QRCODE", f"pay {CARD}") == "pay 622202*********0018"
    form = f"BKF1|account_opening|name=测试甲|id_number={ID}|phone=13812341234"
    assert mask_code_text("QRCODE", form) == (
        "BKF1|account_opening|name=测试甲|id_number=110101********1030|phone=13812341234")


# -- property tests ---------------------------------------------------------------------------
def _ean_ok(code: str) -> bool:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(code[:12]))
    return (10 - total % 10) % 10 == int(code[12])


@st.composite
def card_numbers(draw):
    """Luhn-valid numbers as issuers hand them out: 13 digits only from 4 (Visa), 15 from 1
    (UATP), 2-9 otherwise."""
    length = draw(st.integers(13, 19))
    first = "4" if length == 13 else draw(st.sampled_from("123456789" if length == 15
                                                           else "23456789"))
    body = first + draw(st.text("0123456789", min_size=length - 2, max_size=length - 2))
    return body + luhn_digit(body)


@st.composite
def id_numbers(draw):
    region = draw(st.sampled_from(["110101", "310104", "440305", "510107", "650102",
                                   "810000", "911156"]))
    born = draw(st.dates(dt.date(1920, 1, 1), dt.date(2025, 12, 31)))
    first17 = f"{region}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + check_digit(first17)


def _grouped(number: str, sizes: list[int], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at:at + size])
        at += size
    parts.append(number[at:])
    return sep.join(p for p in parts if p)


@st.composite
def written(draw, numbers):
    """A number written as people and devices write it."""
    number = draw(numbers)
    how = draw(st.sampled_from(["plain", "groups", "glued", "sentence"]))
    if how == "groups":
        size = draw(st.sampled_from([4, 6]))
        sizes = [size] * (len(number) // size - 1)
        if len(number) - sum(sizes) < 3:
            sizes = sizes[:-1]
        return number, _grouped(number, sizes, draw(st.sampled_from(" -")))
    if how == "glued":
        return number, draw(st.sampled_from(["PAN", "no", "id:", "卡号"])) + number + \
            draw(st.sampled_from(["", "x", "元", " ok"]))
    if how == "sentence":
        return number, f"the customer gave {number}."
    return number, number


def _digits_left(text: str) -> str:
    return "".join(c for c in text if c.isdigit() or c in "Xx")


@settings(max_examples=400, deadline=None)
@given(written(card_numbers()))
def test_every_card_number_is_masked_however_it_is_written(case):
    number, text = case
    out = scrub(text)
    assert number not in _digits_left(out)
    assert number[:6] in _digits_left(out) and "*" in out


@settings(max_examples=300, deadline=None)
@given(st.one_of(card_numbers(), id_numbers().filter(str.isdigit)),
       st.sampled_from(["track2", "tag5A", "tag57", "sequence"]))
def test_card_and_id_numbers_in_card_data_are_masked(number, where):
    if where == "track2":
        text = f"track2 {number}D31122011234500000F"
    elif where == "tag57":
        value = f"{number}D3112201"
        value += "F" * (len(value) % 2)
        text = f"57{len(value) // 2:02X}{value}9F1001"
    elif where == "tag5A":
        value = number + "F" * (len(number) % 2)
        text = f"9F1101015A{len(value) // 2:02X}{value}5F2403311231"
    elif len(number) >= 16 and number[0] != "1" and is_card_number(number):
        text = f"{number}01"
    else:
        text = f"{number} 01"
    assert number not in scrub(text)


@settings(max_examples=300, deadline=None)
@given(written(id_numbers()))
def test_every_id_number_is_masked_however_it_is_written(case):
    number, text = case
    assert number not in _digits_left(scrub(text))


@settings(max_examples=300, deadline=None)
@given(st.text("0123456789", min_size=12, max_size=12))
def test_product_codes_that_fail_luhn_are_left_alone(body):
    check = str((10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10) % 10)
    ean = body + check
    if luhn_ok(ean):
        ean = body[:-1] + str((int(body[-1]) + 1) % 10)
        ean += str((10 - sum(int(c) * (3 if i % 2 else 1)
                             for i, c in enumerate(ean)) % 10) % 10)
    if luhn_ok(ean):
        return
    assert _ean_ok(ean)
    assert scrub(f"EAN13 {ean} read") == f"EAN13 {ean} read"


@settings(max_examples=300, deadline=None)
@given(st.datetimes(dt.datetime(2001, 9, 10), dt.datetime(2033, 5, 17)),
       st.sampled_from(["ms", "us", "ns", "s", "iso"]))
def test_timestamps_are_left_alone(when, unit):
    epoch = when.replace(tzinfo=dt.timezone.utc).timestamp()
    text = {"ms": f"ts={int(epoch * 1000)}", "us": f"t {int(epoch * 1_000_000)}",
            "ns": f"at={int(epoch * 1_000_000_000)}", "s": f"{epoch:.6f}",
            "iso": when.isoformat(sep=" ")}[unit]
    assert scrub(text) == text


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 1e7, allow_nan=False))
def test_floats_and_durations_are_left_alone(value):
    for text in (f"seconds={value!r}", f"{value:.16f} s", f"took {value:.19f}"):
        assert scrub(text) == text


def test_is_card_number_takes_ascii_digits_only():
    assert is_card_number(CARD)
    assert not is_card_number(CARD.replace("2", "\u0662"))  # Arabic-Indic two


# -- a real run's log -------------------------------------------------------------------------
def test_a_real_runs_log_masks_card_numbers_and_no_timestamp(tmp_path):
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "tests.core.privacy_run", str(tmp_path)], cwd=root,
                   check=True, timeout=60)
    text = (tmp_path / "log" / "kiosk.log").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ", ln) for ln in lines
               if ln[:1].isdigit())
    assert CARD not in text and "6222020000000000034" not in text
    assert "622202*********0018" in text and "622202*********0034" in text
    assert "QRCODE read" in text  # the camera read the counter form
    # every asterisk belongs to a masked card number; none to a time, a duration or a float
    masked = set(re.findall(r"[0-9A-Za-z]*\*+[0-9A-Za-z]*", text))
    assert masked <= {"622202*********0018", "622202*********0034"}, masked
    assert re.search(r"seconds=0\.\d{10,}\)", text)  # the recovery's duration, whole
    assert re.search(r"heartbeat ts=1\d{12} uptime=\d+\.\d+ monotonic=\d+\.\d+", text)
    assert re.search(r"tick at 1\d{18} ns, 1\d{15} us", text)


def test_journal_rows_and_alerts_mask_by_what_a_value_is(tmp_path):
    from kiosk.alerts.center import AlertCenter
    from kiosk.alerts.outbox import AlertOutbox
    from kiosk.journal import Journal

    memo = f"rent for 2026-11, order 6901234567892, at ts=1764786303663, card {CARD} 13812341234"
    journal = Journal(tmp_path / "journal.db")
    try:
        journal.record("test.memo", memo=memo, took_s=0.0109827598347098)
        (fields,) = journal.find(("test.memo",))
    finally:
        journal.close()
    expected = ("rent for 2026-11, order 6901234567892, at ts=1764786303663, card "
                "622202*********0018 138****1234")
    assert fields["memo"] == expected and fields["took_s"] == 0.0109827598347098
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-T1", branch="B1")
    try:
        alert = center.raise_help(memo)
    finally:
        center.close()
    assert CARD not in alert.message and "ts=1764786303663" in alert.message
    assert "6901234567892" in alert.message and "138****1234" in alert.message
