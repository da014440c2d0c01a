"""Queue ticket: the service, priority for VIP or booked customers, the estimated wait, the
printed ticket, and the pre-filled counter form whose reference QR the counter scans."""
from __future__ import annotations

from typing import Any

from drivers.barcode.scanned_codes import receipt_verification_text
from drivers.privacy import mask_name
from .flow import Flow
from .printing import new_reference, print_document, slip_context
from .states import Step
from .ticket_queue import QUEUE_SERVICES, Ticket, TicketQueue

TICKET_MESSAGES = {"general": "ticket_general", "business": "ticket_business",
                   "wealth": "ticket_wealth"}


class TicketFlow(Flow):
    name = "ticket"
    needs = "optional"

    def start(self) -> None:
        service = self.options.get("service", "")
        if service in QUEUE_SERVICES:
            self.issue(service)
            return
        services = [{"id": s, "message_id": TICKET_MESSAGES[s]} for s in QUEUE_SERVICES]
        shown, page, pages = self.page(services, 1)
        self.s.show(Step.TICKET_SERVICE, message_id="choose_ticket_service",
                    on={"choose": self.choose, "back": self._back}, services=shown, page=page,
                    pages=pages, vip=self.data.vip)

    def _back(self) -> None:
        self.s.show_menu()

    def choose(self, service: str = "") -> None:
        if service in QUEUE_SERVICES:
            self.issue(service)

    def issue(self, service: str) -> None:
        """Take a number (SQLite, on the worker), then print the ticket."""
        queue = self.s.services.tickets
        if queue is None:  # a session built without the kiosk core (tests, benchmarks)
            queue = self.s.services.tickets = TicketQueue()
        priority = self.data.vip or self.data.appointment is not None
        self.s.work("issuing_ticket", lambda: queue.issue(service, priority=priority),
                    lambda ticket: self.issued(ticket, service, priority))

    def issued(self, ticket: Ticket, service: str, priority: bool) -> None:
        reference = new_reference()
        form_qr = receipt_verification_text(self.s.config.kiosk.id, "ticket", reference)
        self.s.journal("ticket.issued", reference=reference, number=ticket.number, service=service,
                       priority=priority, triage=self.options.get("triage", "here"),
                       name=mask_name(self.data.display_name),
                       id=self.data.id_record.id_masked if self.data.id_record else "")
        self.ticket, self.reference = ticket, reference
        view: dict[str, Any] = {"number": ticket.number, "service": service,
                                "priority": priority, "waiting": ticket.waiting,
                                "estimated_wait_min": ticket.estimated_wait_min,
                                "form_qr": form_qr, "printed": False}
        if self.s.services.device("printer") is None and self.s.services.printing is None:
            self.show_ticket(view)
            return
        from ..documents.ticket import queue_ticket
        _, zh, en, _ = QUEUE_SERVICES[service]
        document = queue_ticket(ticket.number, zh, en, waiting_ahead=ticket.waiting,
                                estimated_wait_min=ticket.estimated_wait_min,
                                reference=reference, ctx=slip_context(self.s))
        print_document(self.s, document, "printing_ticket",
                       after=lambda: self.show_ticket({**view, "printed": True}),
                       instead=lambda exc: self.show_ticket(view))

    def show_ticket(self, view: dict[str, Any]) -> None:
        """The number on the screen too, so a printer fault does not cost the customer it."""
        printed = view["printed"]
        message = ("ticket_priority" if view["priority"] else "ticket_issued") if printed \
            else "ticket_not_printed"
        self.s.show(Step.TICKET_ISSUED, message_id=message,
                    on={"done": lambda: self.s.finish(("ticket",) if printed else ())}, **view)
