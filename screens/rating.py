"""Satisfaction rating at the end of a session (1 to 5)."""
from __future__ import annotations

from kiosk.i18n import N_
from kiosk.session.states import State, Step

from .base import KioskScreen

SCORE_TEXT = {1: N_("Very poor"), 2: N_("Poor"), 3: N_("Average"), 4: N_("Good"), 5: N_("Very good")}


class RatingScreen(KioskScreen):
    step = Step.RATING

    def on_render(self, state: State) -> None:
        self.fill_choices(self.ids.scores, [
            (f"{score}\n{self.tr(SCORE_TEXT.get(score, ''))}", "rate", {"score": score})
            for score in state.view.get("scale", [1, 2, 3, 4, 5])],
            style="secondary", size_factor=1.4)
