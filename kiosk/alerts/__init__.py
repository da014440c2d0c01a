"""Staff alerts: device faults, help requests and held transfers, kept in a durable outbox.

`AlertCenter` is the entry point and raises one alert per device condition (what a status
means is kiosk.device_conditions; `faults` makes the alert of one); `outbox`
stores alerts and the events still to be sent to the fleet; `notify` messages staff groups.
"""
from .center import AlertCenter, AlertChange
from .model import Alert, AlertState, Severity

__all__ = ["AlertCenter", "AlertChange", "Alert", "AlertState", "Severity"]
