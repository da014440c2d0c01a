"""Queue ticket: which counter service the customer needs."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.controls import KButton


class TicketServiceScreen(KioskScreen):
    step = Step.TICKET_SERVICE

    def on_render(self, state: State) -> None:
        box = self.ids.services
        box.clear_widgets()
        for service in state.view.get("services", []):
            button = KButton(text=self.tr(service["message_id"]), style="secondary",
                             size_factor=1.3)
            button.service_id = service["id"]
            button.bind(on_release=lambda b: self.send("choose", service=b.service_id))
            box.add_widget(button)
