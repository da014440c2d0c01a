"""The service menu, triaged like the branch's greeter: what this machine does, and what
needs the counter or a wealth manager (then the customer gets a queue ticket).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .flow import Flow
from .states import Step

if TYPE_CHECKING:
    from .machine import Session


@dataclass(frozen=True)
class Service:
    id: str
    where: str             # "here", "counter" or "wealth_manager"
    flow: str              # "module:Class" under kiosk.session
    ticket_service: str = ""  # the queue to join when it is done at the counter

    @property
    def message_id(self) -> str:
        return f"service_{self.id}"


SERVICES: tuple[Service, ...] = (
    Service("balance", "here", "accounts:AccountsFlow"),
    Service("transfer", "here", "transfer:TransferFlow"),
    Service("statement", "here", "statement:StatementFlow"),
    Service("transactions", "here", "transactions:TransactionsFlow"),
    Service("lost_card", "here", "lost_card:LostCardFlow"),
    Service("ticket", "here", "ticket:TicketFlow"),
    Service("open_account", "counter", "ticket:TicketFlow", "business"),
    Service("card_replacement", "counter", "ticket:TicketFlow", "business"),
    Service("cash_large", "counter", "ticket:TicketFlow", "general"),
    Service("foreign_exchange", "counter", "ticket:TicketFlow", "general"),
    Service("loan", "wealth_manager", "ticket:TicketFlow", "wealth"),
    Service("wealth", "wealth_manager", "ticket:TicketFlow", "wealth"),
)

_EXTRA_FLOWS = {"menu_by_card": "triage:MenuByCardFlow"}


def _load(path: str) -> Any:
    module, _, cls = path.partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), cls)


def service_flow(name: str, session: "Session", **options: Any) -> "Flow":
    for service in SERVICES:
        if service.id == name:
            if service.ticket_service:
                options.setdefault("service", service.ticket_service)
                options.setdefault("triage", service.where)
            return _load(service.flow)(session, **options)
    if name in _EXTRA_FLOWS:
        return _load(_EXTRA_FLOWS[name])(session, **options)
    raise KeyError(f"no service flow {name!r}")


def show_menu(session: "Session", page: int = 1) -> None:
    size = max(1, session.page_size)
    pages = -(-len(SERVICES) // size)
    page = min(max(1, page), pages)
    shown = SERVICES[(page - 1) * size: page * size]
    options = [{"id": s.id, "message_id": s.message_id, "where": s.where} for s in shown]

    def choose(option: str = "") -> None:
        if option in {s.id for s in SERVICES}:
            session.start_flow(option)

    session.show(Step.MENU, message_id="choose_service", options=options, page=page,
                 pages=pages, on={"choose": choose,
                                  "page": lambda page=1: show_menu(session, int(page))})


class MenuByCardFlow(Flow):
    """A card inserted on the attract screen or the menu: identify with PIN, then the menu."""
    name = "menu"
    needs = "card_pin"

    def begin(self) -> None:
        from .identify import Identification
        Identification(self.s, then=self, card_inserted=True).start()

    def identified(self) -> None:
        show_menu(self.s)

    def start(self) -> None:
        show_menu(self.s)
