"""Attract screen: welcome, start, the ways to begin that work now, language choice and
elderly mode."""
from __future__ import annotations

from kiosk.i18n import N_
from kiosk.session.states import Step

from .base import KioskScreen
from .identify import METHOD_TEXT

# What each way in (kiosk.device_conditions WAYS_IN) is called on the attract screen.
WAY_TEXT = {**{way: title for way, (title, _hint) in METHOD_TEXT.items()},
            "ticket": N_("Queue ticket")}
WAYS_TITLE = N_("You can begin with")


class AttractScreen(KioskScreen):
    step = Step.ATTRACT
