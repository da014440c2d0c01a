"""Masking of card, ID and mobile numbers, decided by what a value is, never by its length.

Card and ID numbers keep their first 6 and last 4 characters, mobiles their first 3 and last 4.
Every log, journal row, alert, receipt and screen uses these; nothing else formats a full number.

`scrub` finds the numbers in free text by their checks:
- a card number has 13-19 digits, passes the Luhn check and starts as ISO/IEC 7812 issuers do:
  a major industry identifier of 2-9, or 1 for the 15-digit UATP cards, and 4 (Visa) for the
  only 13-digit cards ever issued; written whole or in groups (spaces or dashes), glued to
  letters, in track-2 data (`...D3112...`), as EMV tag 5A or 57 in hex, or with its sequence
  number after it;
- an ID number (GB 11643, and the permits of HK/Macau/Taiwan residents and foreigners that use
  it) has 18 characters with a birth date at 7-14 and the MOD 11-2 check character; the older
  foreigner permanent residence number is three letters, a province code and ten digits;
- a mobile is 11 digits 1[3-9]...
Product codes, references, timestamps (epoch milliseconds, micro- and nanoseconds start with a
1 and so are no card), durations and the digits of a float are left as they are.
"""
from __future__ import annotations

import re

from drivers.idcard import id_number

# A run of digits, alone or in 2-6 groups of 3+ digits with one kind of separator; an X may end
# an ID number. Not a run that is part of a float: no "digit." before it, no ".digit" after it.
_RUN = re.compile(r"(?<!\d)(?<!\d\.)(?:\d{3,}(?P<sep>[ -])\d{3,}(?:(?P=sep)\d{3,}){0,4}|\d+)[Xx]?"
                  r"(?!\.?\d)")
_PLAIN = re.compile(r"(?<!\d)(?<!\d\.)\d+[Xx]?(?!\.?\d)")
# EMV tag 5A (PAN, BCD padded with F) or 57 (track-2 equivalent) and its length byte, in hex.
_TLV = re.compile(r"(?:5A|57)([0-9A-Fa-f]{2})")
_PAN_VALUE = re.compile(r"(\d{13,19})[Ff]?")
_TRACK2_VALUE = re.compile(r"(\d{13,19})[Dd]\d+[Ff]?")
# Foreigner permanent residence number before 2023: nationality, province of issue, 10 digits.
_PERMIT15 = re.compile(r"(?<![A-Za-z])[A-Z]{3}(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5])"
                       r"\d{10}(?!\d)")
_SEQUENCE_DIGITS = 3  # a PAN sequence number glued after a 16-19 digit card number: 1-3 digits


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check over a digit string whose last digit is the check digit."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """13-19 ASCII digits, Luhn-valid, with a first digit a card issuer can have."""
    if not 13 <= len(digits) <= 19 or not luhn_ok(digits):
        return False
    first = digits[0]
    if len(digits) == 13:
        return first == "4"
    return first >= "2" or (first == "1" and len(digits) == 15)


def is_id_number(value: str) -> bool:
    """An 18-character GB 11643 number: a real birth date inside and the right check character."""
    return (value.isascii() and id_number.check_digit_ok(value)
            and id_number.birth_date_in(value) is not None)


def is_mobile_number(digits: str) -> bool:
    return len(digits) == 11 and digits.isascii() and digits.isdigit() and digits[0] == "1" \
        and digits[1] in "3456789"


def mask_number(number: str) -> str:
    """Mask a card, account or ID number: 6222021234567890123 -> 622202*********0123."""
    digits = (number or "").strip()
    if len(digits) <= 10:
        return "*" * len(digits) if len(digits) > 4 else digits
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_mobile(number: str) -> str:
    """13812341234 -> 138****1234."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str) -> str:
    """Mask a person's name for payee confirmation: 张三 -> *三, 张小三 -> 张*三."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return "*" + name[1]
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _mask_value(value: str, *, grouped: bool = False, mobiles: bool = True) -> str | None:
    """The masked form of one number, or None when it is nothing to hide."""
    digits = value.replace(" ", "").replace("-", "") if grouped else value
    if len(digits) == 18 and is_id_number(digits):
        return mask_number(digits)
    if not digits.isdigit():
        return None
    if is_card_number(digits):
        return mask_number(digits)
    if mobiles and is_mobile_number(digits):
        return mask_mobile(digits)
    if grouped:
        return None
    # A card number with its sequence number glued on: the longest card-number prefix.
    for cut in range(1, _SEQUENCE_DIGITS + 1):
        if len(digits) - cut >= 16 and digits[0] >= "2" and is_card_number(digits[:-cut]):
            return mask_number(digits[:-cut]) + digits[-cut:]
    return None


def _tlv_spans(text: str) -> list[tuple[int, int, str]]:
    """Card (or ID) numbers inside hex dumps of EMV tags 5A and 57."""
    spans = []
    for match in _TLV.finditer(text):
        size = 2 * int(match.group(1), 16)
        value = text[match.end():match.end() + size]
        shape = _PAN_VALUE if match.group(0)[:2] == "5A" else _TRACK2_VALUE
        found = shape.fullmatch(value) if len(value) == size else None
        if found and (is_card_number(found.group(1)) or is_id_number(found.group(1))):
            spans.append((match.end(), match.end() + len(found.group(1)),
                          mask_number(found.group(1))))
    return spans


def _number_spans(text: str, mobiles: bool) -> list[tuple[int, int, str]]:
    spans = []
    for match in _RUN.finditer(text):
        value, end, grouped = match.group(0), match.end(), bool(match.group("sep"))
        masked = _mask_value(value, grouped=grouped, mobiles=mobiles)
        if masked is None and value[-1] in "Xx":  # a letter after the digits, not an ID's X
            value, end = value[:-1], end - 1
            masked = _mask_value(value, grouped=grouped, mobiles=mobiles)
        if masked is not None:
            spans.append((match.start(), end, masked))
        elif match.group("sep"):  # the groups together are nothing: each on its own, then
            for part in _PLAIN.finditer(match.group(0)):
                masked = _mask_value(part.group(0), mobiles=mobiles)
                if masked is not None:
                    spans.append((match.start() + part.start(), match.start() + part.end(),
                                  masked))
    return spans


def scrub(text: str, *, mobiles: bool = True) -> str:
    """Mask every card, ID and (unless `mobiles` is false) mobile number found in free text;
    leave everything else as it is."""
    tlv = _tlv_spans(text)  # first: the digits of a tag's header would hide its card number
    others = _number_spans(text, mobiles)
    others += [(m.start(), m.end(), mask_number(m.group(0))) for m in _PERMIT15.finditer(text)]
    spans = tlv + [s for s in others if not any(s[0] < e and t < s[1] for t, e, _ in tlv)]
    out, at = [], 0
    for start, end, masked in sorted(spans):
        if start < at:
            continue
        out += [text[at:start], masked]
        at = end
    out.append(text[at:])
    return "".join(out)


# Symbologies that carry product and retail codes: never a card or ID number.
PRODUCT_SYMBOLOGIES = frozenset({"EAN13", "EAN8", "UPCA", "UPCE", "I25", "ITF"})


def mask_code_text(symbology: str, text: str) -> str:
    """A scanned code's text as a technician may see it: exactly as decoded, with only the card
    and ID numbers in it masked (a product code is shown whole, whatever its digits)."""
    if symbology.upper() in PRODUCT_SYMBOLOGIES:
        return text
    return scrub(text, mobiles=False)
