"""Thank you and goodbye; the session returns to the attract screen by itself."""
from __future__ import annotations

from kiosk.session.states import Step

from .base import KioskScreen


class GoodbyeScreen(KioskScreen):
    step = Step.GOODBYE
