"""Transfer: choose a saved payee or enter a new one."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KButton


class PayeeScreen(KioskScreen):
    step = Step.PAYEE

    def on_render(self, state: State) -> None:
        box = self.ids.payees
        box.clear_widgets()
        for payee in state.view.get("payees", []):
            text = "{}   {}\n[size={}]{}[/size]".format(
                payee.get("name_masked", ""), payee.get("account_masked", ""),
                int(self.ids.hint.font_size), payee.get("bank_name", ""))
            button = KButton(text=text, style="secondary", markup=True)
            button.index = payee["index"]
            button.bind(on_release=lambda b: self.send("choose", index=b.index))
            box.add_widget(button)
