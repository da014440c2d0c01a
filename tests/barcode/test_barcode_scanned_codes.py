"""Strict parsing of scanned payloads: every accepted format, and a reason for everything else."""
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from drivers.barcode.samples import sample_codes
from drivers.barcode import scanned_codes
from drivers.barcode.scanned_codes import PayloadError, parse_payload

SAMPLES = sample_codes()


def test_every_sample_parses_to_its_kind():
    kinds = {name: parse_payload(text, sym).kind for name, (sym, text) in SAMPLES.items()
             if name != "foreign_qr"}
    assert kinds == {
        "appointment": "appointment", "transfer_form": "counter_form",
        "account_opening_form": "counter_form", "utility_bill_ean13": "utility_bill",
        "utility_bill_code128": "utility_bill", "receipt": "receipt_verification"}


def test_fields_come_out_typed():
    appointment = parse_payload(SAMPLES["appointment"][1])
    assert (appointment.branch, appointment.date, appointment.slot, appointment.code) == (
        "310101001", dt.date.today(), dt.time(9, 30), "Q7K2M9")     # booked for today
    form = parse_payload(SAMPLES["transfer_form"][1])
    assert form.fields["payee_name"] == "张测试" and form.fields["amount"] == "1280.50"
    bill = parse_payload(*reversed(SAMPLES["utility_bill_code128"]))
    assert (bill.biller, bill.account, bill.period, bill.amount_fen) == (
        "01", "123456789", "202611", 12800)
    receipt = parse_payload(SAMPLES["receipt"][1])
    assert receipt.reference == "RRN202611280001" and receipt.document == "receipt"


def test_repr_masks_card_and_id_numbers():
    for name, full in (("transfer_form", "6222021234567890128"),
                       ("account_opening_form", "110105199003071239")):
        shown = repr(parse_payload(SAMPLES[name][1]))
        assert full not in shown and full[:6] in shown and full[-4:] in shown


def reason(text, symbology="QRCODE", **kw):
    with pytest.raises(PayloadError) as info:
        parse_payload(text, symbology, **kw)
    return info.value.reason, info.value.field


@pytest.mark.parametrize("text,symbology,expected", [
    ("", "QRCODE", ("empty", "")),
    ("BKQ1|" + "1" * 600, "QRCODE", ("too_long", "")),
    ("BKQ1|310101001|20261201|0930|Q7K2M9\x00", "QRCODE", ("bad_characters", "")),
    ("BKQ1|310101001|20261201|0930|Q7K\u202eM9", "QRCODE", ("bad_characters", "")),
    ("BKZ1|x", "QRCODE", ("unknown_format", "")),
    ("BKQ2|310101001|20261201|0930|Q7K2M9", "QRCODE", ("unsupported_version", "")),
    ("BKQ1|310101001|20261201|0930|Q7K2M9", "CODE128", ("wrong_symbology", "")),
    ("BKQ1|310101001|20261201|0930", "QRCODE", ("malformed", "")),
    ("BKQ1|31010100|20261201|0930|Q7K2M9", "QRCODE", ("bad_field", "branch")),
    ("BKQ1|310101001|20260231|0930|Q7K2M9", "QRCODE", ("bad_field", "date")),
    ("BKQ1|310101001|20261201|0930|q7k2m9", "QRCODE", ("bad_field", "code")),
    ("BKF1|loan|name=测试甲", "QRCODE", ("bad_field", "form")),
    ("BKF1|transfer|payee_name=张测试|payee_account=6222021234567890128", "QRCODE",
     ("malformed", "amount")),
    ("BKF1|transfer|payee_name=张测试|payee_account=6222021234567890127|amount=1", "QRCODE",
     ("bad_check_digit", "payee_account")),
    ("BKF1|transfer|payee_name=张测试|payee_account=6222021234567890128|amount=1.005",
     "QRCODE", ("bad_field", "amount")),
    ("BKF1|transfer|payee_name=张测试|payee_account=6222021234567890128|amount=0", "QRCODE",
     ("bad_field", "amount")),
    ("BKF1|transfer|payee_name=张测试|payee_name=张测试", "QRCODE", ("malformed", "payee_name")),
    ("BKF1|transfer|script=<x>", "QRCODE", ("bad_field", "script")),
    ("BKF1|transfer|6222021234567890128=1", "QRCODE", ("bad_field", "?")),
    ("BKF1|account_opening|name=测试甲|id_number=110105199003071238|phone=13800000000",
     "QRCODE", ("bad_check_digit", "id_number")),
    ("2011234567893", "EAN13", ("bad_check_digit", "")),
    ("6901234567892", "EAN13", ("unknown_format", "")),
    ("UB101123456789202611000128006", "CODE128", ("bad_check_digit", "")),
    ("UB201123456789202611000128005", "CODE128", ("unsupported_version", "")),
    ("BKR1|KSK-0001|payslip|RRN202611280001", "QRCODE", ("bad_field", "document")),
    ("https://example.invalid/promo?id=42", "QRCODE", ("unknown_format", "")),
])
def test_rejections_carry_a_reason(text, symbology, expected):
    assert reason(text, symbology) == expected


def test_messages_never_repeat_the_scanned_text():
    for text in ("BKF1|6222021234567890128", "BKF1|transfer|6222021234567890128=x",
                 "BKQ9999999999|x", "BKR1|KSK-0001|6222021234567890128|RRN202611280001"):
        with pytest.raises(PayloadError) as info:
            parse_payload(text)
        assert "6222021234567890128" not in str(info.value) and "99999" not in str(info.value)


def test_a_step_accepts_only_its_kinds():
    text = SAMPLES["appointment"][1]
    assert reason(text, accept=("utility_bill",)) == ("not_accepted", "")
    assert parse_payload(text, accept=("appointment",)).kind == "appointment"


def test_builders_refuse_what_the_parser_would_refuse():
    with pytest.raises(PayloadError):
        scanned_codes.receipt_verification_text("KSK-0001", "receipt", "rrn-lower")
    with pytest.raises(PayloadError):
        scanned_codes.utility_bill_text("01", "123456789", "202613", 100)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=700))
def test_arbitrary_text_either_parses_or_raises_payload_error(text):
    try:
        result = parse_payload(text, "QRCODE")
    except PayloadError as exc:
        assert exc.reason and str(exc)
    else:
        assert result.kind in scanned_codes.KINDS


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="|"), max_size=30),
                max_size=6), st.sampled_from(["BKQ1", "BKF1", "BKR1", "BKF1|transfer"]))
def test_tagged_garbage_never_escapes_as_another_error(fields, tag):
    try:
        parse_payload("|".join([tag, *fields]))
    except PayloadError as exc:
        assert exc.message_id.startswith("payload.")


def test_unknown_symbology_from_a_plain_serial_scanner_lets_the_text_decide():
    for name in ("utility_bill_ean13", "utility_bill_code128", "appointment"):
        symbology, text = SAMPLES[name]
        assert parse_payload(text, "UNKNOWN") == parse_payload(text, symbology)


# Digits other than ASCII 0-9 that str.isdigit() and a plain \d accept.
_NON_ASCII_DIGITS = "²³¹⁰\u0660\u0661\u0662\u0663\u06f4\u0966\uff11\U0001d7ce"


@pytest.mark.parametrize("text, symbology", [
    ("2²34567890128", "EAN13"),
    ("2²34567890128", "UNKNOWN"),
    ("UB1" + "0112345678920261100012800" + "⁹", "CODE128"),
    ("BKQ1|\u0663\u0661\u0660101001|20261201|0930|Q7K2M9", "QRCODE"),
    ("BKQ1|310101001|\u0662\u0660\u0662\u0666\u0661\u0662\u0660\u0661|0930|Q7K2M9", "QRCODE"),
    ("BKF1|transfer|payee_name=张测试|payee_account=622202123456789012\u0668|amount=1", "QRCODE"),
    ("BKF1|transfer|payee_name=张测试|payee_account=6222021234567890128|amount=\uff11", "QRCODE"),
])
def test_parsers_take_ascii_digits_only(text, symbology):
    with pytest.raises(PayloadError):
        parse_payload(text, symbology)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SAMPLES)), st.data())
def test_a_non_ascii_digit_anywhere_raises_only_payload_error(name, data):
    symbology, text = SAMPLES[name]
    at = data.draw(st.sampled_from([i for i, c in enumerate(text) if c.isdigit()] or [0]))
    bad = text[:at] + data.draw(st.sampled_from(_NON_ASCII_DIGITS)) + text[at + 1:]
    for sym in (symbology, "UNKNOWN"):
        with pytest.raises(PayloadError):
            parse_payload(bad, sym)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["BKQ1|", "BKF1|", "BKR1|", ""]),
       st.text(alphabet="0123456789|.-:ABCDEFXYZ", max_size=2000))
def test_long_scans_stay_within_memory_and_the_payload_error_family(memory_bound, tag, body):
    with memory_bound.example():
        try:
            parse_payload(tag + body, "QRCODE")
        except PayloadError:
            pass
