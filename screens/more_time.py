"""'Need more time?': a countdown before the session ends by itself (the session's timer)."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen


class MoreTimeScreen(KioskScreen):
    step = Step.MORE_TIME

    def on_render(self, state: State) -> None:
        if self.arriving():
            self.count_down(state.seconds_left or 0)
