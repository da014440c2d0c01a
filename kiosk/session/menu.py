"""The service menu, triaged like the branch's greeter: what this machine does, and what
needs the counter or a wealth manager (then the customer gets a queue ticket).

`MENU` is the catalogue a session is given: each service's flow, and the menu that lists them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .accounts import AccountsFlow
from .context import SessionContext
from .flow import Flow
from .identify import Identification
from .lost_card import LostCardFlow
from .out_of_service import OutOfService
from ..paging import page_of
from .statement import StatementFlow
from .states import Step
from .technician import TechnicianMode
from .ticket import TicketFlow
from .transactions import TransactionsFlow
from .transfer import TransferFlow


@dataclass(frozen=True)
class Service:
    id: str
    where: str             # "here", "counter" or "wealth_manager"
    flow: type[Flow]
    ticket_service: str = ""  # the queue to join when it is done at the counter
    device: str = ""          # a device it cannot do without (not offered while out of service)

    @property
    def message_id(self) -> str:
        return f"service_{self.id}"


SERVICES: tuple[Service, ...] = (
    Service("balance", "here", AccountsFlow),
    Service("transfer", "here", TransferFlow),
    Service("statement", "here", StatementFlow, device="printer"),
    Service("transactions", "here", TransactionsFlow),
    Service("lost_card", "here", LostCardFlow),
    Service("ticket", "here", TicketFlow),
    Service("open_account", "counter", TicketFlow, "business"),
    Service("card_replacement", "counter", TicketFlow, "business"),
    Service("cash_large", "counter", TicketFlow, "general"),
    Service("foreign_exchange", "counter", TicketFlow, "general"),
    Service("loan", "wealth_manager", TicketFlow, "wealth"),
    Service("wealth", "wealth_manager", TicketFlow, "wealth"),
)


class MenuByCardFlow(Flow):
    """A card inserted on the attract screen or the menu: identify with PIN, then the menu."""
    name = "menu"
    needs = "card_pin"

    def begin(self) -> None:
        Identification(self.s, then=self, card_inserted=True,
                       technician_card=self.options.get("technician_card", False)).start()

    def identified(self) -> None:
        self.s.show_menu()

    def start(self) -> None:
        self.s.show_menu()


class Menu:
    def __init__(self, services: tuple[Service, ...], extra: dict[str, type[Flow]]):
        self.services = services
        self.extra = extra

    def flow(self, name: str, session: SessionContext, **options: Any) -> Flow:
        for service in self.services:
            if service.id == name:
                if service.ticket_service:
                    options.setdefault("service", service.ticket_service)
                    options.setdefault("triage", service.where)
                return service.flow(session, **options)
        if name in self.extra:
            return self.extra[name](session, **options)
        raise KeyError(f"no service flow {name!r}")

    def offered(self, session: SessionContext) -> tuple[Service, ...]:
        """The services whose device a technician has not taken out of service."""
        return tuple(s for s in self.services
                     if not s.device or session.services.serving(s.device))

    def page(self, page: int, size: int, services: tuple[Service, ...] | None = None
             ) -> tuple[list[dict[str, str]], int, int]:
        """The menu's options on one page (the MENU step's view): (options, page, pages)."""
        shown, page, pages = page_of(self.services if services is None else services, page,
                                     size)
        return [{"id": s.id, "message_id": s.message_id, "where": s.where} for s in shown], \
            page, pages

    def show_menu(self, session: SessionContext, page: int = 1) -> None:
        offered = self.offered(session)
        options, page, pages = self.page(page, session.page_size, offered)
        ids = {s.id for s in offered}

        def choose(option: str = "") -> None:
            if option in ids:
                session.start_flow(option)

        session.show(Step.MENU, message_id="choose_service", options=options, page=page,
                     pages=pages, on={"choose": choose,
                                      "page": lambda page=1: session.show_menu(int(page))})


MENU = Menu(SERVICES, {"menu_by_card": MenuByCardFlow, "technician": TechnicianMode,
                        "out_of_service": OutOfService})
