"""One journal row when an operator signal (kiosk.alerts.staff_text: host link, clock skew,
reversal backlog, disk, journal chain, flapping) is raised and one when it is resolved; repeats
while it is open write nothing. Device faults are journaled from their status change instead
(kiosk.journal.attach_device_events), so they are left out here.

    unsubscribe = journal_signals(center, journal)
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from .center import AlertChange
from .staff_text import STAFF_TEXT

log = logging.getLogger(__name__)

JOURNALED_ACTIONS = ("raised", "escalated", "resolved")


def journal_signals(center: Any, journal: Any, codes: frozenset[str] = frozenset(STAFF_TEXT)
                    ) -> Callable[[], None]:
    def on_change(change: AlertChange) -> None:
        alert = change.alert
        if change.action not in JOURNALED_ACTIONS or alert.code not in codes:
            return
        try:
            journal.record(f"alert.{change.action}", ref=alert.key, code=alert.code,
                           severity=alert.severity.value, device=alert.device,
                           message=alert.message)
        except Exception:
            log.exception("journaling alert %s %s failed", change.action, alert.code)
    return center.subscribe(on_change)
