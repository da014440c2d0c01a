"""The base of every service flow: identification first when needed, then the service's steps.

A flow shows steps through its session (`self.s.show(...)`) with the handlers each step
accepts, runs blocking work with `self.s.work(...)`, and ends with `self.s.finish(items)`.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .machine import Session

log = logging.getLogger(__name__)


class Flow:
    name: ClassVar[str] = ""
    # what identification the service needs: "none", "card_pin" (bank card and PIN),
    # "idcard" (resident ID card), or "optional" (card, ID card or appointment code; may skip)
    needs: ClassVar[str] = "none"
    holds_card: ClassVar[bool] = False   # the card must stay in until the flow finishes
    holds_idcard: bool = False           # ending the session if the ID card is lifted

    def __init__(self, session: "Session", **options: Any):
        self.s = session
        self.options = options
        self.identification: Any = None   # set while the customer is being identified

    @property
    def data(self) -> Any:
        return self.s.data

    def begin(self) -> None:
        """Identify the customer as the service needs, then `start()`."""
        from .identify import Identification
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
        size = max(1, self.s.page_size)
        pages = max(1, -(-len(items) // size))
        page = min(max(1, page), pages)
        return items[(page - 1) * size: page * size], page, pages
