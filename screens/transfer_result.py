"""Transfer result: approved, declined, pending (outcome unknown) or held for staff."""
from __future__ import annotations

from kiosk.i18n import N_
from kiosk.session.states import Step

from .base import KioskScreen

OUTCOME_TITLE = {"approved": N_("Transfer made"), "declined": N_("Transfer not made"),
                 "pending": N_("Transfer not confirmed yet"), "held": N_("Transfer waiting for staff")}


class TransferResultScreen(KioskScreen):
    step = Step.TRANSFER_RESULT
