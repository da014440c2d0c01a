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

    def prepare(self, page_size: int) -> None:
        self.stock_choices(self.ids.options, page_size, MenuOption)

    def on_render(self, state: State) -> None:
        options = state.view.get("options", [])
        choices = []
        for option in options:
            message_id = option["message_id"]  # a variable: only literals are extracted as msgids
            text = self.tr(message_id)
            note = WHERE_NOTE.get(option.get("where", "here"))
            if note:
                text += "\n[size={}]{}[/size]".format(int(self.ids.hint.font_size), self.tr(note))
            choices.append((text, "choose", {"option": option["id"]}))
        buttons = self.fill_choices(self.ids.options, choices, MenuOption)
        for option, button in zip(options, buttons):
            button.style = "primary" if option.get("where", "here") == "here" else "secondary"
