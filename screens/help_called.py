"""Staff have been alerted (or could not be): what happens now."""
from __future__ import annotations

from kiosk.session.states import Step

from .base import KioskScreen


class HelpCalledScreen(KioskScreen):
    step = Step.HELP_CALLED
