"""Attract screen: welcome, start, language choice and elderly mode."""
from __future__ import annotations

from kiosk.session.states import Step

from .base import KioskScreen


class AttractScreen(KioskScreen):
    step = Step.ATTRACT
