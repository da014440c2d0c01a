"""A card application's name in the customer's language: the known UnionPay AIDs (and the
labels chips give them) map to catalog message ids; any other application keeps the name its
chip gives (9F12 preferred name, else 50 label, else the AID)."""
from __future__ import annotations

from typing import Any

# AID -> message id (kiosk/session/messages.py)
APPLICATION_NAMES = {
    "A000000333010101": "application_unionpay_debit",
    "A000000333010102": "application_unionpay_credit",
    "A000000333010103": "application_unionpay_quasi_credit",
    "A000000333010106": "application_unionpay_ecash",
}
# the same by the label a chip writes (some cards select a proprietary AID with a known label)
LABEL_NAMES = {"unionpay debit": "application_unionpay_debit",
               "unionpay credit": "application_unionpay_credit",
               "unionpay quasi credit": "application_unionpay_quasi_credit",
               "unionpay electronic cash": "application_unionpay_ecash"}


def application_view(index: int, application: Any) -> dict[str, Any]:
    """{"index", "label" (the chip's own name), "message_id" ("" when none is known)}."""
    label = str(getattr(application, "display_name", "") or f"{index + 1}")
    aid = str(getattr(application, "aid", "") or "").upper()
    message_id = APPLICATION_NAMES.get(aid) or LABEL_NAMES.get(label.strip().lower(), "")
    return {"index": index, "label": label, "message_id": message_id}
