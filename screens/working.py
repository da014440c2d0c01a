"""A worker runs (host call, card read): what is happening and that it is progressing."""
from __future__ import annotations

from kivy.animation import Animation

from kiosk.session.states import Step

from .base import KioskScreen


class WorkingScreen(KioskScreen):
    step = Step.WORKING
    _animation = None

    def on_enter(self, *_):
        strip = self.ids.progress
        strip.phase = 0
        self._animation = (Animation(phase=1, duration=0.9) + Animation(phase=0, duration=0.9))
        self._animation.repeat = True
        self._animation.start(strip)

    def on_leave(self, *_):
        if self._animation is not None:
            self._animation.cancel(self.ids.progress)
            self._animation = None
