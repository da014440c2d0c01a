"""A staff alert for a device condition (the meaning of each status is kiosk.device_conditions).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..device_conditions import Outcome
from .model import Severity


@dataclass(frozen=True)
class Fault:
    key: str
    code: str
    severity: Severity
    message: str


def device_fault(outcome: Outcome) -> Fault:
    """The alert for a raised device condition: keyed device.field, coded kind.field.value."""
    row = outcome.condition
    assert row is not None, "only a condition becomes an alert"
    return Fault(outcome.key, outcome.code, Severity(row.severity),
                 f"{outcome.device}: {row.advice}")
