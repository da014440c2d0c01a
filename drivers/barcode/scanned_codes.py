"""What the kiosk accepts from a scanned code, parsed strictly: scanned text is untrusted input.

Four compact, versioned formats (fields separated by "|", the tag names kind and version):

- appointment            BKQ1|<branch: 9 digits>|<YYYYMMDD>|<HHMM>|<code: 6-10 of A-Z 0-9>
- counter_form           BKF1|<form>|<key>=<value>|...   forms and their fields in FORMS
- utility_bill           EAN-13  2<biller: 2 digits><account: 9 digits><EAN check digit>
                         Code128 UB1<biller: 2><account: 9><period YYYYMM><amount fen: 8><Luhn digit>
- receipt_verification   BKR1|<kiosk id>|<document kind>|<reference: 6-32 of A-Z 0-9>
                         (the QR on our own receipts; build it with receipt_verification_text)

Anything else raises PayloadError with a reason code (`reason`) the screens turn into a message
(`message_id` = "payload.<reason>"); messages never repeat the scanned text.
Parsed payloads that hold card or ID numbers mask them in repr(), so logging one is safe.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable, Union

from drivers.idcard.id_number import check_digit_ok as id_number_check_ok

from drivers.privacy import luhn_ok, mask_number

MAX_PAYLOAD_CHARS = 512
# Serial scanners without AIM identifiers do not say which symbology they read.
UNKNOWN_SYMBOLOGY = "UNKNOWN"
KINDS = ("appointment", "counter_form", "utility_bill", "receipt_verification")

# Reason codes (stable: screens and the journal use them).
EMPTY = "empty"
TOO_LONG = "too_long"
BAD_CHARACTERS = "bad_characters"
UNKNOWN_FORMAT = "unknown_format"
UNSUPPORTED_VERSION = "unsupported_version"
WRONG_SYMBOLOGY = "wrong_symbology"
MALFORMED = "malformed"
BAD_FIELD = "bad_field"
BAD_CHECK_DIGIT = "bad_check_digit"
NOT_ACCEPTED = "not_accepted"


class PayloadError(ValueError):
    """A scanned code the kiosk will not use; `reason` is one of the codes above."""

    def __init__(self, reason: str, message: str, field_name: str = ""):
        self.reason = reason
        self.field = field_name
        self.message_id = f"payload.{reason}"
        super().__init__(message)


@dataclass(frozen=True)
class Appointment:
    kind = "appointment"
    branch: str
    date: dt.date
    slot: dt.time
    code: str


@dataclass(frozen=True)
class CounterForm:
    kind = "counter_form"
    form: str
    fields: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        shown = {k: (mask_number(v) if k in _NUMBER_FIELDS else v) for k, v in self.fields.items()}
        return f"CounterForm(form={self.form!r}, fields={shown!r})"


@dataclass(frozen=True)
class UtilityBill:
    kind = "utility_bill"
    biller: str
    account: str
    period: str = ""            # YYYYMM; empty when the code does not carry it (EAN-13)
    amount_fen: int | None = None  # None: the host looks the amount up


@dataclass(frozen=True)
class ReceiptVerification:
    kind = "receipt_verification"
    kiosk_id: str
    document: str
    reference: str


Payload = Union[Appointment, CounterForm, UtilityBill, ReceiptVerification]

# -- field rules -------------------------------------------------------------------------------
_BRANCH = re.compile(r"[0-9]{9}")
_APPOINTMENT_CODE = re.compile(r"[A-Z0-9]{6,10}")
_KIOSK_ID = re.compile(r"[A-Z0-9-]{1,16}")
_REFERENCE = re.compile(r"[A-Z0-9]{6,32}")
_DOCUMENTS = ("receipt", "balance", "statement", "ticket")
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,20}|[A-Za-z][A-Za-z .'-]{1,39}")
_CARD = re.compile(r"[0-9]{16,19}")
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_PHONE = re.compile(r"1[3-9][0-9]{9}")
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,6})(\.[0-9]{1,2})?")
_MEMO = re.compile(r"[^|=\x00-\x1f\x7f]{1,20}")
_NUMBER_FIELDS = {"payee_account", "id_number"}
_FIELD_NAME = re.compile(r"[a-z_]{1,20}")

# form -> (required fields, optional fields)
FORMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "transfer": (("payee_name", "payee_account", "amount"), ("memo",)),
    "account_opening": (("name", "id_number", "phone"), ()),
}
_FIELD_RULES = {
    "payee_name": _NAME, "name": _NAME, "payee_account": _CARD, "id_number": _ID_NUMBER,
    "phone": _PHONE, "amount": _AMOUNT, "memo": _MEMO,
}
MAX_AMOUNT_FEN = 100_000_000  # 1,000,000.00 yuan: above that the counter handles it anyway


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes ² and Arabic-Indic digits."""
    return text.isascii() and text.isdigit()


def luhn_digit(digits: str) -> str:
    """The Luhn check digit to append to `digits`."""
    return next(str(d) for d in range(10) if luhn_ok(digits + str(d)))


def ean13_ok(code: str) -> bool:
    if len(code) != 13 or not _digits(code):
        return False
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(code[:12]))
    return (10 - total % 10) % 10 == int(code[12])


# -- parsing ----------------------------------------------------------------------------------
def parse_payload(text: str, symbology: str = "QRCODE",
                  accept: Iterable[str] = KINDS) -> Payload:
    """Parse scanned text; raise PayloadError for anything the kiosk does not accept here.

    `symbology` as the reader reported it; UNKNOWN_SYMBOLOGY lets the text decide.
    """
    accepted = tuple(accept)
    _check_text(text)
    symbology = symbology.upper()
    unknown = symbology == UNKNOWN_SYMBOLOGY
    if symbology == "EAN13" or (unknown and len(text) == 13 and _digits(text)):
        payload: Payload = _utility_bill_ean(text)
    elif text.startswith("UB") and symbology in ("CODE128", UNKNOWN_SYMBOLOGY):
        payload = _utility_bill_code128(text)
    elif text.startswith("BK") and len(text) >= 4 and "|" in text:
        tag, *fields = text.split("|")
        parser = _TAGGED.get(tag[:3])
        if parser is None:
            raise PayloadError(UNKNOWN_FORMAT, "this code is not one the kiosk knows")
        if tag[3:] != "1":
            raise PayloadError(UNSUPPORTED_VERSION,
                               f"this version of the {tag[:3]} format is not supported")
        if symbology not in ("QRCODE", UNKNOWN_SYMBOLOGY):
            raise PayloadError(WRONG_SYMBOLOGY, f"{tag[:3]} codes come as QR codes only")
        payload = parser(fields)
    else:
        raise PayloadError(UNKNOWN_FORMAT, "this code is not one the kiosk knows")
    if payload.kind not in accepted:
        raise PayloadError(NOT_ACCEPTED, f"a {payload.kind} code cannot be used here")
    return payload


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text:
        raise PayloadError(EMPTY, "the code is empty")
    if len(text) > MAX_PAYLOAD_CHARS:
        raise PayloadError(TOO_LONG, f"the code holds more than {MAX_PAYLOAD_CHARS} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") or ch == "\ufffd"
           for ch in text):
        raise PayloadError(BAD_CHARACTERS, "the code holds control or undecodable characters")


def _fields(fields: list[str], count: int, kind: str) -> list[str]:
    if len(fields) != count:
        raise PayloadError(MALFORMED, f"{kind} code has {len(fields)} fields, expected {count}")
    return fields


def _match(rule: re.Pattern[str], value: str, name: str) -> str:
    if not rule.fullmatch(value):
        raise PayloadError(BAD_FIELD, f"field {name} is not valid", name)
    return value


def _appointment(fields: list[str]) -> Appointment:
    branch, date, slot, code = _fields(fields, 4, "appointment")
    _match(_BRANCH, branch, "branch")
    _match(_APPOINTMENT_CODE, code, "code")
    try:
        day = dt.datetime.strptime(_match(re.compile(r"[0-9]{8}"), date, "date"), "%Y%m%d").date()
        at = dt.datetime.strptime(_match(re.compile(r"[0-9]{4}"), slot, "slot"), "%H%M").time()
    except ValueError:
        raise PayloadError(BAD_FIELD, "appointment date or time does not exist", "date") from None
    return Appointment(branch, day, at, code)


def _counter_form(fields: list[str]) -> CounterForm:
    if not fields:
        raise PayloadError(MALFORMED, "counter form code names no form")
    form, *pairs = fields
    if form not in FORMS:
        raise PayloadError(BAD_FIELD, "the form in the code is not one the kiosk fills in", "form")
    required, optional = FORMS[form]
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in required + optional:
            name = key if _FIELD_NAME.fullmatch(key) else "?"  # never echo untrusted text
            raise PayloadError(BAD_FIELD, f"form {form} has no field {name}", name)
        if key in values:
            raise PayloadError(MALFORMED, f"field {key} appears twice", key)
        values[key] = _match(_FIELD_RULES[key], value, key)
    missing = [k for k in required if k not in values]
    if missing:
        raise PayloadError(MALFORMED, f"form {form} lacks field {missing[0]}", missing[0])
    if "payee_account" in values and not luhn_ok(values["payee_account"]):
        raise PayloadError(BAD_CHECK_DIGIT, "the payee account number is mistyped",
                           "payee_account")
    if "id_number" in values and not id_number_check_ok(values["id_number"]):
        raise PayloadError(BAD_CHECK_DIGIT, "the ID number is mistyped", "id_number")
    if "amount" in values and not 0 < amount_fen(values["amount"]) <= MAX_AMOUNT_FEN:
        raise PayloadError(BAD_FIELD, "the amount is out of range", "amount")
    return CounterForm(form, values)


def amount_fen(amount: str) -> int:
    """"1280.5" -> 128050. The text is checked by the caller's rule first."""
    try:
        return int(Decimal(amount) * 100)
    except InvalidOperation:
        raise PayloadError(BAD_FIELD, "the amount is not a number", "amount") from None


def _utility_bill_ean(text: str) -> UtilityBill:
    if not (len(text) == 13 and _digits(text)):
        raise PayloadError(MALFORMED, "a bill EAN-13 holds 13 digits")
    if not ean13_ok(text):
        raise PayloadError(BAD_CHECK_DIGIT, "the bill barcode check digit is wrong")
    if text[0] != "2":
        raise PayloadError(UNKNOWN_FORMAT, "this EAN-13 is a product code, not a bill")
    return UtilityBill(text[1:3], text[3:12])


def _utility_bill_code128(text: str) -> UtilityBill:
    if not text.startswith("UB1"):
        raise PayloadError(UNSUPPORTED_VERSION, "this bill barcode version is not supported")
    body = text[3:]
    if len(body) != 26 or not _digits(body):
        raise PayloadError(MALFORMED, "a bill Code 128 holds UB1 and 26 digits")
    if not luhn_ok(body):
        raise PayloadError(BAD_CHECK_DIGIT, "the bill barcode check digit is wrong")
    biller, account, period, fen = body[:2], body[2:11], body[11:17], int(body[17:25])
    if not (2000 <= int(period[:4]) <= 2099 and 1 <= int(period[4:]) <= 12):
        raise PayloadError(BAD_FIELD, "the bill period is not a month", "period")
    if not 0 < fen <= MAX_AMOUNT_FEN:
        raise PayloadError(BAD_FIELD, "the bill amount is out of range", "amount")
    return UtilityBill(biller, account, period, fen)


def _receipt_verification(fields: list[str]) -> ReceiptVerification:
    kiosk_id, document, reference = _fields(fields, 3, "receipt verification")
    _match(_KIOSK_ID, kiosk_id, "kiosk_id")
    if document not in _DOCUMENTS:
        raise PayloadError(BAD_FIELD, "the document kind is unknown", "document")
    _match(_REFERENCE, reference, "reference")
    return ReceiptVerification(kiosk_id, document, reference)


_TAGGED = {"BKQ": _appointment, "BKF": _counter_form, "BKR": _receipt_verification}


# -- building (emulator samples, tests, and the receipt printer's QR) -------------------------
def appointment_text(branch: str, date: dt.date, slot: dt.time, code: str) -> str:
    return _checked(f"BKQ1|{branch}|{date:%Y%m%d}|{slot:%H%M}|{code}")


def counter_form_text(form: str, **values: str) -> str:
    return _checked("|".join([f"BKF1|{form}", *(f"{k}={v}" for k, v in values.items())]))


def utility_bill_text(biller: str, account: str, period: str = "",
                      amount_fen: int | None = None) -> tuple[str, str]:
    """(symbology, text): EAN-13 without period and amount, Code 128 with them."""
    if amount_fen is None:
        body = f"2{biller}{account}"
        check = (10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10) % 10
        return "EAN13", _checked(f"{body}{check}", "EAN13")
    body = f"{biller}{account}{period}{amount_fen:08d}"
    return "CODE128", _checked(f"UB1{body}{luhn_digit(body)}", "CODE128")


def receipt_verification_text(kiosk_id: str, document: str, reference: str) -> str:
    """The text for the QR printed on a receipt, balance slip, statement or ticket."""
    return _checked(f"BKR1|{kiosk_id}|{document}|{reference}")


def _checked(text: str, symbology: str = "QRCODE") -> str:
    parse_payload(text, symbology)
    return text
