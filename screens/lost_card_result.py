"""Lost card: the report's reference and until when the temporary block holds."""
from __future__ import annotations

from kiosk.session.states import Step

from .base import KioskScreen


class LostCardResultScreen(KioskScreen):
    step = Step.LOST_CARD_RESULT
