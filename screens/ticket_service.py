"""Queue ticket: which counter service the customer needs."""
from __future__ import annotations

from kiosk.session.states import State, Step

from .base import KioskScreen


class TicketServiceScreen(KioskScreen):
    step = Step.TICKET_SERVICE

    def on_render(self, state: State) -> None:
        services = state.view.get("services", [])
        message_ids = [service["message_id"] for service in services]  # not literals: not extracted
        self.fill_choices(self.ids.services, [
            (self.tr(message_id), "choose", {"service": service["id"]})
            for message_id, service in zip(message_ids, services)], style="secondary", size_factor=1.3)
