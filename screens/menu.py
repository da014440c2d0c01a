"""Service menu with the greeter's triage: what can be done here, and what needs the counter
or a wealth manager (then a queue ticket)."""
from __future__ import annotations

from kiosk.i18n import N_
from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KButton

WHERE_NOTE = {"counter": N_("At the counter: take a ticket"),
              "wealth_manager": N_("With a wealth manager: take a ticket")}


class MenuOption(KButton):
    pass


class MenuScreen(KioskScreen):
    step = Step.MENU

    def on_render(self, state: State) -> None:
        grid = self.ids.options
        grid.clear_widgets()
        for option in state.view.get("options", []):
            where = option.get("where", "here")
            text = self.tr(option["message_id"])
            if where in WHERE_NOTE:
                text += "\n[size={}]{}[/size]".format(int(self.ids.hint.font_size),
                                                     self.tr(WHERE_NOTE[where]))
            button = MenuOption(text=text, style="primary" if where == "here" else "secondary")
            button.option_id = option["id"]
            button.bind(on_release=lambda b: self.send("choose", option=b.option_id))
            grid.add_widget(button)
