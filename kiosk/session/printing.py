"""Printing a document for the customer with progress, then the reminder to take it.

With the print queue (kiosk.print_queue) a job interrupted by a paper-out is kept and the
customer's "retry" resumes it from its first missing page once staff have refilled the paper.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Callable

from ..device_conditions import unavailable_message
from .context import SessionContext
from .failures import COUNTER, Failure, UnavailableError, describe
from .states import Step

log = logging.getLogger(__name__)

# A longer document stopped part way is kept by the queue: the customer is told what became
# of it and how it goes on (message id, detail id)
KEPT_WHEN_STOPPED = {("statement", "printer_out_of_paper"): ("statement_paper_out",
                                                             "statement_resumes")}


class PrintStopped(Exception):
    def __init__(self, job: Any):
        super().__init__(f"print job {job.job_id} stopped: {job.fault}")
        self.job = job


def new_reference() -> str:
    return uuid.uuid4().hex[:12].upper()


def slip_context(session: SessionContext) -> Any:
    from ..documents.slip import SlipContext
    return SlipContext.for_kiosk(session.config)


def print_document(session: SessionContext, document: Any, task: str, *,
                   items: tuple[str, ...] = ("receipt",),
                   after: Callable[[], None] | None = None,
                   instead: Callable[[BaseException], None] | None = None,
                   job_id: int | None = None) -> None:
    """Print on a worker with page progress; then `after()` or the reminder to take `items`.
    On failure: `instead(exc)` when given, else the fault (retry resumes a queued job)."""
    gen = session.generation
    pages = max(1, len(document.pages))
    queue = session.services.printing
    state: dict[str, Any] = {"job_id": job_id}
    session.show(Step.PRINTING, message_id=task, timeout=None, busy=True,
                 document=document.kind, progress=0.0)

    def progress(done: int) -> None:
        if session.alive(gen):
            session.update(only=Step.PRINTING, progress=round(done / pages, 3))

    def poll_queue() -> None:
        if state["job_id"] is not None:
            progress(queue.status(state["job_id"]).pages_done)

    def job() -> int:
        if queue is not None:
            if state["job_id"] is None:
                state["job_id"] = queue.submit(document, print_now=False)
            result = queue.run(state["job_id"])
            if result.state.value != "done":
                raise PrintStopped(result)
            return result.pages_total
        printer = session.services.device("printer")
        if printer is None:
            raise UnavailableError("no printer", "printer_unavailable")
        return printer.print_document(document, on_page=progress)

    def done(_: Any) -> None:
        session.poll = None
        if queue is None:  # a queued job is journaled by the queue (journal.attach_print_jobs)
            session.journal("receipt.printed", ref=document.reference, document=document.kind,
                            pages=pages)
        if after is not None:
            after()
        else:
            session.finish(items)

    def failed(exc: BaseException) -> None:
        session.poll = None
        pages_done = exc.job.pages_done if isinstance(exc, PrintStopped) else \
            getattr(exc, "pages_done", 0)
        if not isinstance(exc, PrintStopped):  # a stopped queued job is journaled by the queue
            session.journal("receipt.failed", ref=document.reference, document=document.kind,
                            pages=pages_done, error=str(exc))
        if instead is not None:
            instead(exc)
            return
        if isinstance(exc, PrintStopped):
            message = exc.job.message_id
            ways = ("retry", "call_staff", "end") if message != unavailable_message("printer") \
                else COUNTER
            message, detail = KEPT_WHEN_STOPPED.get((document.kind, message), (message, ""))
            session.fail(Failure(message, ways, detail),
                         retry=lambda: print_document(session, document, task, items=items,
                                                      after=after, job_id=state["job_id"]))
        else:
            session.fail(describe(exc))

    if queue is not None:
        session.poll = poll_queue
    session.work(task, job, done, failed=failed, show=False)
