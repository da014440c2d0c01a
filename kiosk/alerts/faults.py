"""Which device status values are faults, which are warnings and which mean "recovered".

One rule per status field: a bad value raises (or escalates) the alert keyed `device.field`; a
good value resolves it; anything else (unknown, starting, a card entering) changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from drivers.base import StatusChanged

from .model import Severity

W, F, C = Severity.WARNING, Severity.FAULT, Severity.CRITICAL


@dataclass(frozen=True)
class Fault:
    key: str
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class Recovery:
    key: str


# field -> (bad value -> severity, good values that resolve the alert)
_RULES: dict[str, tuple[dict[str, Severity], frozenset[str]]] = {
    # `offline` on a clean shutdown never arrives: the kiosk detaches alerts before closing.
    "device": ({"noDevice": F, "offline": F, "hardwareError": F, "powerOff": F, "userError": W,
                "fraudAttempt": C, "potentialFraud": C},
               frozenset({"online", "deviceBusy"})),
    "paper": ({"low": W, "out": F, "jammed": F}, frozenset({"full"})),
    "media": ({"jammed": F}, frozenset({"present", "notPresent", "retracted", "latched"})),
    "cover": ({"open": W}, frozenset({"closed"})),
    "cutter": ({"error": F}, frozenset({"ok"})),
    "sam": ({"inoperative": F}, frozenset({"ok"})),
    "scanner": ({"inoperative": F}, frozenset({"on", "off"})),
    "camera": ({"inoperative": F}, frozenset({"ok"})),
    "chipPower": ({"hardwareError": F}, frozenset({"online", "busy", "poweredOff", "noCard"})),
    "antiFraudModule": ({"deviceDetected": C, "inoperable": F}, frozenset({"ok"})),
    "toner": ({"low": W, "out": F}, frozenset({"full"})),
    "ink": ({"low": W, "out": F}, frozenset({"full"})),
}

# What staff should do, by code; the default names device and status.
_ADVICE = {
    "paper.low": "paper is running low: load a new roll soon",
    "paper.out": "paper is out: load a new roll",
    "paper.jammed": "paper is jammed: open the cover and clear it",
    "media.jammed": "a card or document is jammed: open the device and remove it",
    "device.noDevice": "is not there: check its cable and power",
    "device.offline": "does not answer: check its power and cable",
    "device.userError": "needs staff attention (see its other alerts)",
    "cutter.error": "cutter is jammed: open the cover, clear the jam and close it",
    "device.hardwareError": "reports a hardware error: call maintenance",
    "device.powerOff": "is switched off: check its power",
    "cover.open": "cover is open: close it",
    "sam.inoperative": "security module (SAM) does not work: call maintenance",
    "device.fraudAttempt": "reports a fraud attempt: inspect the kiosk now",
    "device.potentialFraud": "reports possible tampering: inspect the kiosk now",
    "antiFraudModule.deviceDetected": "detected a foreign device (skimmer?): inspect now",
}


def classify(event: StatusChanged) -> Fault | Recovery | None:
    """The alert consequence of one status change, or None when it changes nothing."""
    rule = _RULES.get(event.field)
    if rule is None:
        return None
    bad, good = rule
    key = f"{event.device}.{event.field}"
    if event.new in bad:
        short = f"{event.field}.{event.new}"
        advice = _ADVICE.get(short, f"{event.field} is {event.new}")
        return Fault(key, f"{event.kind}.{short}", bad[event.new], f"{event.device}: {advice}")
    if event.new in good:
        return Recovery(key)
    return None
