"""The base of every service flow: identification first when needed, then the service's steps.

A flow is handed a `SessionContext` (`self.s`), never the session itself. It shows steps
(`self.s.show(...)`) with the handlers each step
accepts, runs blocking work with `self.s.work(...)`, and ends with `self.s.finish(items)`.
"""
from __future__ import annotations

import logging
from typing import Any, ClassVar

from .context import SessionContext
from .customer import CustomerData
from .identify import Identification
from ..paging import page_of

log = logging.getLogger(__name__)


class Flow:
    name: ClassVar[str] = ""
    # what identification the service needs: "none", "card_pin" (bank card and PIN),
    # "idcard" (resident ID card), or "optional" (card, ID card or appointment code; may skip)
    needs: ClassVar[str] = "none"
    holds_card: ClassVar[bool] = False   # the card must stay in until the flow finishes
    holds_idcard: bool = False           # ending the session if the ID card is lifted

    def __init__(self, session: SessionContext, **options: Any):
        self.s = session
        self.options = options
        self.identification: Any = None   # set while the customer is being identified

    @property
    def data(self) -> CustomerData:
        return self.s.data

    def begin(self) -> None:
        """Identify the customer as the service needs, then `start()`."""
        if Identification.satisfied(self.s, self.needs):
            self.s.data.services_used.append(self.name)
            self.start()
            return
        Identification(self.s, then=self).start()

    def identified(self) -> None:
        """Called by the identification once the customer is known."""
        self.s.data.services_used.append(self.name)
        self.start()

    def start(self) -> None:
        raise NotImplementedError

    def on_device_event(self, event: Any) -> bool:
        """A device event the flow wants (codes, ID card); True when handled."""
        if self.identification is not None:
            return bool(self.identification.on_device_event(event))
        return False

    def on_status(self, event: Any) -> None:
        """A device's status changed (StatusChanged)."""
        if self.identification is not None:
            self.identification.on_status(event)

    def page(self, items: list[Any], page: int) -> tuple[list[Any], int, int]:
        """One screen of `items` at the session's page size: (items, page, pages)."""
        return page_of(items, page, self.s.page_size)
