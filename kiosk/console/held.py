"""Staff approve or reject a held transfer from the console: the transfer service sends it or
drops it, the alert closes with the decision and its reason, and the customer's screen follows
(a `HeldTransferDecided` event on the bus, which the transfer flow waits for).
"""
from __future__ import annotations

import logging
from typing import Any

from drivers.base import DeviceEvent

from ..alerts import AlertCenter

log = logging.getLogger(__name__)

HELD_DECIDED = "HeldTransferDecided"
MAX_REASON = 200


class HeldDecisions:
    def __init__(self, center: AlertCenter, transfers: Any, bus: Any | None = None):
        self.center = center
        self.transfers = transfers
        self.bus = bus

    def decide(self, alert_id: str, approve: bool, by: str, reason: str) -> bool:
        """False when the alert is unknown, closed or not a held transfer, or no reason given."""
        alert = self.center.get(alert_id)
        reason = reason.strip()[:MAX_REASON]
        if alert is None or not alert.open or alert.kind != "heldTransfer" or not reason:
            return False
        stan = held_stan(alert)
        try:
            if approve:
                result = self.transfers.release_held(stan, by)
                outcome, reference = result.outcome.value, result.reference
            else:
                self.transfers.reject_held(stan, by)
                outcome, reference = "rejected", ""
        except KeyError:  # decided already (another console, or the kiosk restarted)
            log.warning("held transfer %06d is no longer held", stan)
            return False
        self.center.resolve(alert_id, by, {"decision": "approved" if approve else "rejected",
                                           "reason": reason, "outcome": outcome})
        log.info("held transfer %06d %s by %s: %s", stan, "approved" if approve else "rejected",
                 by, outcome)
        if self.bus is not None:
            self.bus.publish(DeviceEvent("staff", "staff", HELD_DECIDED,
                                         {"stan": stan, "approved": approve,
                                          "outcome": outcome, "reference": reference}))
        return True


def held_stan(alert: Any) -> int:
    """The STAN of the transfer a heldTransfer alert is about ("<terminal>:<stan>")."""
    return int(str(alert.data["reference"]).rsplit(":", 1)[1])


def withdraw_held(center: AlertCenter, transfers: Any, stan: int) -> bool:
    """The customer left before staff decided: the transfer is dropped (the screen promised
    it is not made without them) and the staff alert closes saying so. False when staff
    decided first."""
    try:
        transfers.reject_held(stan, "customer")
    except KeyError:
        return False
    for alert in center.active():
        if alert.kind == "heldTransfer" and held_stan(alert) == stan:
            center.resolve(alert.alert_id, "customer",
                           {"decision": "withdrawn", "reason": "the customer left",
                            "outcome": "withdrawn"})
    log.info("held transfer %06d withdrawn: the customer left before staff decided", stan)
    return True


def withdraw_on_leaving(result: Any, services: Any, worker: Any) -> None:
    """The session ends: a transfer of this customer still held for staff is not made (the
    held screen says so). Withdrawn on the session's worker, never under its lock."""
    transfers, center = services.transfers, services.alerts
    if result is None or result.outcome.value != "held" or transfers is None or center is None:
        return
    stan = result.stan
    worker.submit("jobs", lambda: withdraw_held(center, transfers, stan))
