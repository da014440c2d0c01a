"""Transfer: choose a saved payee or enter a new one."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .formatting import number
from .base import KioskScreen


class PayeeScreen(KioskScreen):
    step = Step.PAYEE

    def on_render(self, state: State) -> None:
        size = int(self.ids.hint.font_size)
        self.fill_choices(self.ids.payees, [
            ("{}   {}\n[size={}]{}[/size]".format(p.get("name_masked", ""),
                                               number(p.get("account_masked", "")), size,
                                               p.get("bank_name", "")),
             "choose", {"index": p["index"]})
            for p in state.view.get("payees", [])], style="secondary", markup=True)
