"""Queue ticket: which counter service the customer needs."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen


class TicketServiceScreen(KioskScreen):
    step = Step.TICKET_SERVICE

    def on_render(self, state: State) -> None:
        self.fill_choices(self.ids.services, [
            (self.tr(service["message_id"]), "choose", {"service": service["id"]})
            for service in state.view.get("services", [])], style="secondary", size_factor=1.3)
