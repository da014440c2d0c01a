"""What an alert is: severity, lifecycle state and the facts staff need to act on it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    FAULT = "fault"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __str__(self) -> str:
        return self.value


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.FAULT: 2, Severity.CRITICAL: 3}


class AlertState(str, Enum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Alert:
    """One alert. `key` de-duplicates: at most one open alert per key (e.g. `printer.paper`)."""
    alert_id: str
    key: str
    kind: str            # fault, help, heldTransfer
    device: str          # device name, or "" for help requests and transfers
    code: str            # e.g. printer.paper.out, help.requested
    severity: Severity
    message: str         # already masked
    state: AlertState
    raised_at: float
    updated_at: float
    count: int = 1       # how many times the same condition was reported while open
    acknowledged_by: str = ""
    acknowledged_at: float | None = None
    resolved_at: float | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return self.state is not AlertState.RESOLVED

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["severity"] = self.severity.value
        out["state"] = self.state.value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Alert":
        values = dict(data)
        values["severity"] = Severity(values["severity"])
        values["state"] = AlertState(values["state"])
        return cls(**values)
