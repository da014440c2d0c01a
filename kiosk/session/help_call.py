"""The help button, on every screen: alert staff on the worker, show the reference, and come
back to the step the customer was on (its handlers and timer as they were)."""
from __future__ import annotations

import logging
import secrets
from typing import Any

from .context import SessionContext
from .engine import Snapshot, StepEngine
from .states import Step

log = logging.getLogger(__name__)


class Lifecycle(SessionContext):
    session_id: str

    def end(self, reason: str) -> None: ...


class StaffCall:
    def __init__(self, session: Lifecycle, engine: StepEngine):
        self.s = session
        self._engine = engine
        self._back_to: Snapshot | None = None

    def forget(self) -> None:
        self._back_to = None

    def call(self) -> None:
        state = self.s.state
        if state.step not in (Step.WORKING, Step.PRINTING):
            self._back_to = self._engine.snapshot()
        reference = f"{secrets.randbelow(10_000):04d}"   # a number a customer can read out
        alerts = self.s.services.alerts
        step, session_id = str(state.step), self.s.session_id
        if alerts is None:
            self._called("help_unavailable", "")
            return
        self.s.journal("help.requested", reference=reference, step=step)

        def not_raised(exc: BaseException) -> None:
            log.warning("help request could not be sent: %s", exc)
            self._called("help_unavailable", "")

        self.s.work("help_called",
                    lambda: alerts.raise_help(reference, session=session_id, screen=step),
                    lambda _: self._called("help_called", reference), failed=not_raised,
                    show=False)

    def _called(self, message_id: str, reference: str) -> None:
        on = {"done": self._back}
        if reference:
            on["cancel"] = lambda: self._cancel(reference)
        self.s.show(Step.HELP_CALLED, message_id=message_id, on=on, reference=reference)

    def _cancel(self, reference: str) -> None:
        """The customer no longer needs staff: close the alert and go back."""
        alerts = self.s.services.alerts
        self.s.journal("help.cancelled", reference=reference)
        self.s.work("help_called", lambda: alerts.resolve_key("help", by="customer"),
                    lambda _: None, failed=lambda exc: log.warning("help not cancelled: %s", exc),
                    show=False)
        self._back()

    def _back(self) -> None:
        if self._back_to is None:
            self.s.end("customer")
            return
        before, self._back_to = self._back_to, None
        self._engine.restore(before)
