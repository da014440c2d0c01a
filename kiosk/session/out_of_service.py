"""Out of service by staff's decision (the console's remote action), as a session step.

Entered only from the attract screen (the `out_of_service` action there; a customer being
served finishes first), it shows the attract screen with an out-of-service notice and no way
to start: device events come here and are ignored (an inserted card starts nothing). The
hidden corner press still opens technician mode. Back in service (`in_service`) ends it like
a visit: goodbye, then the attract screen for the next customer.
"""
from __future__ import annotations

import logging
from typing import Any

from .context import SessionContext
from .states import Step
from .technician import corner_press

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "en")


class OutOfService:
    name = "out_of_service"
    exclusive = True      # the session hands it every device event: no customer flow starts
    holds_card = False
    holds_idcard = False

    def __init__(self, session: SessionContext, *, by: str = "", reason: str = ""):
        self.s = session
        self.by = str(by)[:64]
        self.reason = str(reason)[:200]
        self.identification = None

    def begin(self) -> None:
        log.warning("out of service by %s: %s", self.by or "staff", self.reason or "-")
        self.s.journal("service.out", by=self.by, reason=self.reason)
        self.s.show(Step.ATTRACT, message_id="out_of_service_staff", timeout=None,
                    on={"in_service": self.leave,
                        "corner_press": lambda **press: corner_press(self.s, **press)},
                    languages=list(LANGUAGES))

    def on_device_event(self, event: Any) -> bool:
        return True

    def on_status(self, event: Any) -> None:
        """Nothing to decide: the kiosk serves nobody."""

    def leave(self, by: str = "") -> None:
        log.warning("back in service by %s", by or "staff")
        self.s.journal("service.in", by=str(by)[:64])
        self.s.end("in_service")
