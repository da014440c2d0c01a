"""Transfer: the bank's (masked) name for the account, for the customer to confirm."""
from __future__ import annotations

from kiosk.session.states import Step

from .base import KioskScreen


class PayeeCheckScreen(KioskScreen):
    step = Step.PAYEE_CHECK
