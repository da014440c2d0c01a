"""Lost card: confirm the temporary loss report."""
from __future__ import annotations

from kiosk.session.states import Step

from .base import KioskScreen


class LostCardConfirmScreen(KioskScreen):
    step = Step.LOST_CARD_CONFIRM
