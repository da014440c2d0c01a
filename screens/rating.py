"""Satisfaction rating at the end of a session (1 to 5)."""
from __future__ import annotations

from kiosk.i18n import N_
from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KButton

SCORE_TEXT = {1: N_("Very poor"), 2: N_("Poor"), 3: N_("Average"), 4: N_("Good"), 5: N_("Very good")}


class RatingScreen(KioskScreen):
    step = Step.RATING

    def on_render(self, state: State) -> None:
        row = self.ids.scores
        row.clear_widgets()
        for score in state.view.get("scale", [1, 2, 3, 4, 5]):
            button = KButton(text=f"{score}\n{self.tr(SCORE_TEXT.get(score, ''))}",
                             style="secondary", size_factor=1.4)
            button.score = score
            button.bind(on_release=lambda b: self.send("rate", score=b.score))
            row.add_widget(button)
