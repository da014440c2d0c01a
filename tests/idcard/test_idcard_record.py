"""The typed card record: code tables, the three card layouts, checks and masking."""
from __future__ import annotations

from datetime import date

import pytest

from drivers.idcard import id_number as idn
from drivers.idcard.code_tables import GENDERS, NATIONS, nation_name
from drivers.idcard.emulator import load_people
from drivers.idcard.errors import CardDataError
from drivers.idcard.record import LONG_TERM, parse_card
from drivers.idcard.text_layout import LayoutError, pack

PEOPLE = load_people()
TODAY = date(2026, 1, 15)


def record(person_id):
    person = PEOPLE[person_id]
    return parse_card(person.text, photo=person.photo())


@pytest.mark.parametrize("number, digit", [("11010519491231002X", "X"),
                                           ("440524188001010014", "4"),
                                           ("110101199003071030", "0")])
def test_gb11643_check_digit_examples(number, digit):
    assert idn.check_digit(number[:17]) == digit
    assert idn.check_digit_ok(number)
    wrong = number[:17] + ("1" if digit != "1" else "2")
    assert not idn.check_digit_ok(wrong)


def test_gb11643_rejects_malformed_numbers():
    assert not idn.check_digit_ok("1101011990030710")
    assert not idn.check_digit_ok("11010119900307103A")
    assert idn.birth_date_in("110101199013071030") is None
    with pytest.raises(ValueError):
        idn.check_digit("12345")


def test_nation_table_has_56_nations_plus_97_98_with_current_names():
    assert sorted(NATIONS) == [f"{i:02d}" for i in range(1, 57)] + ["97", "98"]
    assert len(set(NATIONS.values())) == 58
    assert (NATIONS["36"], NATIONS["46"], NATIONS["32"], NATIONS["37"]) == \
        ("毛南", "德昂", "仫佬", "仡佬")
    assert "毛难" not in NATIONS.values() and "崩龙" not in NATIONS.values()
    assert nation_name("1") == "汉" and nation_name("98") == "外国血统中国籍人士"
    assert set(GENDERS) == {"0", "1", "2", "9"}


def test_resident_card_fields():
    r = record("ceshi_jia")
    assert (r.card_type, r.name, r.gender, r.nation) == ("resident", "测试甲", "男", "汉")
    assert r.id_number == "110101199003071030"
    assert r.birth_date == date(1990, 3, 7)
    assert r.valid_from == date(2016, 5, 1) and r.valid_to == date(2036, 5, 1)
    assert r.address.startswith("北京市东城区")
    assert r.authority == "北京市公安局东城分局"
    assert r.photo[:3] == b"WLf" and len(r.photo) == 1024
    assert r.checks(TODAY).ok


def test_long_term_validity_and_nation_by_code():
    r = record("ceshi_bing")
    assert r.valid_to is None and r.valid_to_text == LONG_TERM
    assert r.nation == "德昂"
    assert not r.checks(date(2099, 1, 1)).expired


def test_foreigner_permanent_residence_card_type_i():
    r = record("foreign_tester")
    assert r.card_type == "I"
    assert (r.name_en, r.name, r.nationality) == ("TESTER, ALPHA", "测试外", "CAN")
    assert r.birth_date == date(1990, 1, 1) and r.nation == ""
    assert r.id_masked == "CAN110*****0015"
    checks = r.checks(TODAY)
    assert checks.check_digit_ok is None and checks.birth_matches is None and checks.ok


def test_hk_macau_taiwan_residence_permit_type_j():
    r = record("hk_tester")
    assert r.card_type == "J"
    assert (r.name, r.gender, r.nation) == ("测试港", "女", "")
    assert (r.pass_number, r.issue_count) == ("H00000001", "01")
    assert r.checks(TODAY).check_digit_ok is True


@pytest.mark.parametrize("person, flag, message", [
    ("ceshi_ding", "check_digit_ok", "check digit is wrong"),
    ("ceshi_wu", "birth_matches", "birth date in the ID number does not match"),
])
def test_each_failed_check_has_its_own_message(person, flag, message):
    checks = record(person).checks(TODAY)
    assert getattr(checks, flag) is False
    assert len(checks.problems) == 1 and message in checks.problems[0]
    assert not checks.expired


def test_expiry_is_judged_against_the_given_day():
    r = record("ceshi_yi")
    assert r.checks(date(2015, 6, 18)).ok          # valid through its last day
    late = r.checks(date(2015, 6, 19))
    assert late.expired and late.problems == ("document expired on 2015-06-18",)


def test_repr_and_str_never_show_the_full_number():
    r = record("ceshi_jia")
    for text in (repr(r), str(r), f"{r}"):
        assert "110101199003071030" not in text and "110101********1030" in text


@pytest.mark.parametrize("field, value, words", [
    ("birth", "19900230", "birth date"),
    ("valid_to", "2036050", "valid-to date"),
    ("gender", "5", "GB/T 2261.1"),
    ("nation", "77", "GB 3304"),
    ("id_number", "", "empty"),
])
def test_bad_field_values_are_card_data_errors_naming_the_field(field, value, words):
    fields = dict(PEOPLE["ceshi_jia"].fields, **{field: value})
    with pytest.raises(CardDataError, match=words):
        parse_card(pack("resident", fields))


def test_layout_refuses_overlong_fields_and_unknown_type_marks():
    with pytest.raises(LayoutError):
        pack("resident", {"name": "测" * 16})
    block = bytearray(PEOPLE["ceshi_jia"].text)
    block[248:250] = "Z".encode("utf-16-le")
    with pytest.raises(CardDataError, match="card type"):
        parse_card(bytes(block))


def test_every_shipped_person_is_invented_with_valid_data():
    assert len(PEOPLE) >= 6
    assert {p.card_type for p in PEOPLE.values()} == {"resident", "I", "J"}
    for p in PEOPLE.values():
        r = parse_card(p.text)
        assert "测试" in r.name
        if p.id != "ceshi_ding" and r.card_type != "I":
            assert idn.check_digit_ok(r.id_number), p.id
