"""Sample codes the emulated camera and scanner present: one of each payload the kiosk accepts.

All data is invented: the card number has a valid Luhn digit, the ID number a valid GB 11643
check character, and the names are obviously fake.
"""
from __future__ import annotations

import datetime as dt

from . import scanned_codes


def sample_codes() -> dict[str, tuple[str, str]]:
    """Sample name -> (symbology, text). The appointment is for today, as a customer who booked
    shows it (a fixed date would have expired by now)."""
    return {
        "appointment": ("QRCODE", scanned_codes.appointment_text(
            "310101001", dt.date.today(), dt.time(9, 30), "Q7K2M9")),
        "transfer_form": ("QRCODE", scanned_codes.counter_form_text(
            "transfer", payee_name="张测试", payee_account="6222021234567890128",
            amount="1280.50", memo="房租")),
        "account_opening_form": ("QRCODE", scanned_codes.counter_form_text(
            "account_opening", name="测试甲", id_number="110105199003071239",
            phone="13800000000")),
        "utility_bill_ean13": scanned_codes.utility_bill_text("01", "123456789"),
        "utility_bill_code128": scanned_codes.utility_bill_text("01", "123456789", "202611", 12800),
        "receipt": ("QRCODE", scanned_codes.receipt_verification_text(
            "KSK-0001", "receipt", "RRN202611280001")),
        "foreign_qr": ("QRCODE", "https://example.invalid/promo?id=42"),
    }
