"""What a flow may read and do through its session, and nothing more.

Flows (menu, identification, accounts, transfer, ...) are handed a `SessionContext`; the
session (machine.py) is one, a test may pass another. A flow never touches the session's
private state, and no flow imports the session, so the package has no import cycle.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

from ..config import KioskConfig
from .clock import Now
from .customer import CustomerData
from .failures import Failure
from .services import Services
from .states import State, Step

Handler = Callable[..., None]


class SessionContext(Protocol):
    config: KioskConfig
    services: Services
    data: CustomerData          # the customer's data, wiped when their session ends
    elderly: bool
    accessible: bool
    now: Now
    poll: Callable[[], None] | None  # refreshes a running job's progress, on the worker

    @property
    def state(self) -> State: ...
    @property
    def page_size(self) -> int: ...
    @property
    def idle_timeout_s(self) -> float: ...
    @property
    def generation(self) -> int: ...
    @property
    def card_inside(self) -> bool: ...

    def alive(self, generation: int) -> bool: ...

    def show(self, step: Step, *, message_id: str = "", on: dict[str, Handler] | None = None,
             timeout: str | float | None = ..., busy: bool = False,
             seconds_left: int | None = None, **view: Any) -> State: ...

    def update(self, *, only: Step | None = None, **view: Any) -> bool: ...

    def work(self, task: str, job: Callable[[], Any], done: Callable[[Any], None], *,
             failed: Callable[[BaseException], None] | None = None,
             retry: Callable[[], None] | None = None, critical: bool = False,
             show: bool = True) -> None: ...

    def fail(self, fault: Failure, *, retry: Callable[[], None] | None = None) -> None: ...

    def suggest(self, suggestion_id: str, message_id: str) -> None: ...

    def show_menu(self, page: int = 1) -> None: ...

    def start_flow(self, name: str, **options: Any) -> None: ...

    def finish(self, items: tuple[str, ...] = ()) -> None: ...

    def journal(self, kind: str, **fields: Any) -> None: ...

    def end(self, reason: str) -> None: ...


class Catalogue(Protocol):
    """The services a session offers (menu.py): their flows and the menu that lists them."""

    def flow(self, name: str, session: SessionContext, **options: Any) -> Any: ...

    def show_menu(self, session: SessionContext, page: int = 1) -> None: ...
