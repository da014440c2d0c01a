"""A card with two applications (debit and credit): which one to use."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KButton


class ChooseApplicationScreen(KioskScreen):
    step = Step.CHOOSE_APPLICATION

    def on_render(self, state: State) -> None:
        box = self.ids.applications
        box.clear_widgets()
        for app_ in state.view.get("applications", []):
            button = KButton(text=self.tr(app_.get("label", "")) or app_.get("label", ""))
            button.index = app_["index"]
            button.bind(on_release=lambda b: self.send("choose", index=b.index))
            box.add_widget(button)
