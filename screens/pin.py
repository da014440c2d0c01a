"""PIN entry on a keypad whose digits the session shuffles each time; only dots are shown. In the
accessible mode the pad is fixed (telephone order) and not even dots are shown."""
from __future__ import annotations

from kiosk.session.states import Step

from .base import KioskScreen


class PinScreen(KioskScreen):
    step = Step.PIN
