"""Transfer: the summary the customer confirms."""
from __future__ import annotations

from kiosk.session.states import Step

from .base import KioskScreen


class TransferConfirmScreen(KioskScreen):
    step = Step.TRANSFER_CONFIRM
