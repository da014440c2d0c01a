"""Staff alerts: device faults, help requests and held transfers, kept in a durable outbox.

`AlertCenter` is the entry point; `faults` turns device status changes into alerts; `outbox`
stores alerts and the events still to be sent to the fleet; `notify` messages staff groups.
"""
from .center import AlertCenter, AlertChange
from .model import Alert, AlertState, Severity

__all__ = ["AlertCenter", "AlertChange", "Alert", "AlertState", "Severity"]
