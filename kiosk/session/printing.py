"""Printing a document for the customer with progress, then the reminder to take it."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import TYPE_CHECKING, Any, Callable

from .faults import UnavailableError
from .states import Step

if TYPE_CHECKING:
    from .machine import Session

log = logging.getLogger(__name__)


def new_reference() -> str:
    return uuid.uuid4().hex[:12].upper()


def slip_context(session: "Session") -> Any:
    from ..documents.slip import SlipContext
    return SlipContext(kiosk_id=session.config.kiosk.id, branch=session.config.kiosk.branch,
                       printed_at=dt.datetime.now())


def print_document(session: "Session", document: Any, task: str, *,
                   items: tuple[str, ...] = ("receipt",),
                   after: Callable[[], None] | None = None,
                   instead: Callable[[BaseException], None] | None = None) -> None:
    """Print on a worker with a page-by-page progress bar; then `after()` or the reminder.
    On failure: `instead(exc)` when given, else the fault with its ways forward."""
    gen = session.generation
    pages = max(1, len(document.pages))
    session.show(Step.PRINTING, message_id=task, timeout=None, busy=True,
                 document=document.kind, progress=0.0)

    def on_page(done: int) -> None:
        with session._lock:
            if session.alive(gen) and session.state.step == Step.PRINTING:
                session.update(progress=round(done / pages, 3))

    def job() -> int:
        printing = session.services.printing
        if printing is not None and hasattr(printing, "print_now"):
            return printing.print_now(document, on_page=on_page)
        printer = session.services.device("printer")
        if printer is None:
            raise UnavailableError("no printer", "printer_unavailable")
        return printer.print_document(document, on_page=on_page)

    def done(_: Any) -> None:
        session.journal("printed", document=document.kind, reference=document.reference,
                        pages=pages)
        if after is not None:
            after()
        else:
            session.finish(items)

    def failed(exc: BaseException) -> None:
        from .faults import describe
        session.journal("print_failed", document=document.kind, reference=document.reference,
                        pages_done=getattr(exc, "pages_done", 0), error=str(exc))
        if instead is not None:
            instead(exc)
        else:
            session.fail(describe(exc))

    session.work(task, job, done, failed=failed, show=False)
