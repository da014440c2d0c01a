"""A card with two applications (debit and credit): which one to use."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen


class ChooseApplicationScreen(KioskScreen):
    step = Step.CHOOSE_APPLICATION

    def on_render(self, state: State) -> None:
        self.fill_choices(self.ids.applications, [
            (self.name_of(a), "choose", {"index": a["index"]})
            for a in state.view.get("applications", [])])

    def name_of(self, application: dict) -> str:
        """The application's name in the customer's language, else the chip's own label."""
        known = application.get("message_id")
        return self.tr(known) if known else application.get("label", "")
