"""What a device status means, written once: one row per (device kind, status field, value).

A row says how bad it is for staff (severity and what to do), what the customer is told (a
message id in the catalogs), which journal kind records it, and whether the device still serves
customers. The alert center, the journal, the session's fault messages, printing, the print
queue, identification's choice of readers and the staff console page all read this table.

A driver reports one fault on more than one field (paper out also sets `device` to userError; an
unplugged camera reports `camera` inoperative and `device` noDevice). Rows that restate each other
are `linked`: whichever arrives first is the condition (one alert, one journal row); the other,
while it lasts, is covered by it. `ConditionTracker` applies that rule to a stream of
StatusChanged events; every consumer that needs it runs one on the same stream.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

ANY = "*"   # a row for every device kind; a kind's own row wins
WARNING, FAULT, CRITICAL = "warning", "fault", "critical"
FAULT_ROW, WARNING_ROW, STATUS_ROW = "device.fault", "device.warning", "device.status"

# What the kiosk offers customers, and the device kinds each needs (any one of them serving
# is enough; none listed: it needs no device). The ways in are what the attract screen invites.
SERVICES: dict[str, tuple[str, ...]] = {
    "card": ("chipcard",),           # identify with a bank card (and PIN)
    "idcard": ("idcard",),           # identify with a resident ID card
    "qr": ("camera", "scanner"),     # a mobile-banking appointment code
    "printing": ("printer",),        # statements, receipts, printed tickets
    "ticket": (),                    # a queue ticket (shown on screen without a printer)
}
WAYS_IN = ("card", "idcard", "qr", "ticket")

# The customer's message when a kind of device is not there (kiosk/locale catalogs).
UNAVAILABLE = {"chipcard": "card_reader_unavailable", "idcard": "idcard_reader_unavailable",
               "printer": "printer_unavailable"}
DEVICE_UNAVAILABLE = "device_unavailable"


@dataclass(frozen=True)
class Condition:
    kind: str              # device kind, or ANY
    field: str             # status field
    value: str             # status value
    severity: str          # staff severity: warning, fault or critical
    advice: str            # staff text: what to do (the console translates by `code`)
    serving: bool          # the device still serves customers in this condition
    customer: str = ""     # the customer's message id ("" = the kind's unavailable message)
    linked: tuple[str, ...] = ()  # `field.value` of the device that report the same fault
    journal: str = ""      # journal kind ("" = device.fault, or device.warning while serving)

    def code(self, kind: str) -> str:
        """The alert code and the staff message id: printer.paper.out."""
        return f"{kind}.{self.field}.{self.value}"

    def customer_message(self, kind: str) -> str:
        return self.customer or unavailable_message(kind)

    @property
    def journal_kind(self) -> str:
        return self.journal or (WARNING_ROW if self.serving else FAULT_ROW)


def _row(kind: str, field: str, value: str, severity: str, advice: str, *,
         serving: bool = False, **extra: Any) -> Condition:
    return Condition(kind, field, value, severity, advice, serving, **extra)


W, F, C = WARNING, FAULT, CRITICAL
PRINT_FAILED = "print_failed"
# The part faults a driver restates on its `device` field (see the module doc).
_NEEDS_STAFF = ("paper.out", "paper.jammed", "cover.open", "media.jammed")
_PART_BROKEN = ("cutter.error", "sam.inoperative")
_CODE_READER_DOWN = ("camera.inoperative", "scanner.inoperative")

ROWS: tuple[Condition, ...] = (
    # the device as a whole; `offline` on a clean shutdown never reaches alerts (detached first)
    _row(ANY, "device", "noDevice", F, "is not there: check its cable and power",
         linked=_CODE_READER_DOWN),
    _row(ANY, "device", "offline", F, "does not answer: check its power and cable",
         linked=_CODE_READER_DOWN),
    _row(ANY, "device", "powerOff", F, "is switched off: check its power"),
    _row(ANY, "device", "hardwareError", F, "reports a hardware error: call maintenance",
         linked=_PART_BROKEN),
    _row(ANY, "device", "userError", W, "needs staff attention (see its other alerts)",
         linked=_NEEDS_STAFF),
    _row(ANY, "device", "fraudAttempt", C, "reports a fraud attempt: inspect the kiosk now"),
    _row(ANY, "device", "potentialFraud", C, "reports possible tampering: inspect the kiosk now"),
    _row("printer", "device", "hardwareError", F, "reports a hardware error: call maintenance",
         customer=PRINT_FAILED, linked=_PART_BROKEN),
    _row("printer", "device", "userError", W, "needs staff attention (see its other alerts)",
         customer=PRINT_FAILED, linked=_NEEDS_STAFF),
    # printer
    _row(ANY, "paper", "low", W, "paper is running low: load a new roll soon", serving=True),
    _row(ANY, "paper", "out", F, "paper is out: load a new roll",
         customer="printer_out_of_paper"),
    _row(ANY, "paper", "jammed", F, "paper is jammed: open the cover and clear it",
         customer=PRINT_FAILED),
    _row(ANY, "cover", "open", W, "cover is open: close it", customer=PRINT_FAILED,
         journal=FAULT_ROW),
    _row(ANY, "cutter", "error", F, "cutter is jammed: open the cover, clear the jam and close it",
         customer=PRINT_FAILED),
    _row(ANY, "toner", "low", W, "toner is running low", serving=True),
    _row(ANY, "toner", "out", F, "toner is out", customer=PRINT_FAILED),
    _row(ANY, "ink", "low", W, "ink is running low", serving=True),
    _row(ANY, "ink", "out", F, "ink is out", customer=PRINT_FAILED),
    # card and ID readers
    _row(ANY, "media", "jammed", F, "a card or document is jammed: open the device and remove it"),
    _row(ANY, "sam", "inoperative", F, "security module (SAM) does not work: call maintenance"),
    _row(ANY, "chipPower", "hardwareError", F, "chip contacts report a hardware error"),
    _row(ANY, "antiFraudModule", "deviceDetected", C,
         "detected a foreign device (skimmer?): inspect now"),
    _row(ANY, "antiFraudModule", "inoperable", F, "anti-fraud module does not work"),
    # code readers
    _row(ANY, "scanner", "inoperative", F, "scanner does not work"),
    _row(ANY, "camera", "inoperative", F, "camera gives no picture: check its cable"),
)

# Values that end a condition on a field; anything else (unknown, starting, a card entering)
# leaves an open condition as it is.
RECOVERED: dict[str, frozenset[str]] = {
    "device": frozenset({"online", "deviceBusy"}),
    "paper": frozenset({"full"}),
    "media": frozenset({"present", "notPresent", "retracted", "latched"}),
    "cover": frozenset({"closed"}),
    "cutter": frozenset({"ok"}),
    "sam": frozenset({"ok"}),
    "scanner": frozenset({"on", "off"}),
    "camera": frozenset({"ok"}),
    "chipPower": frozenset({"online", "busy", "poweredOff", "noCard"}),
    "antiFraudModule": frozenset({"ok"}),
    "toner": frozenset({"full"}),
    "ink": frozenset({"full"}),
}

# Device events that only restate a status field (the field's change is journaled already).
STATUS_EVENTS = frozenset({"PaperThresholdEvent"})

# A technician took the device out of service (kiosk.device_manager): it serves nobody.
SERVICE_FIELD, OUT_OF_SERVICE = "service", "outOfService"

_TABLE: dict[tuple[str, str, str], Condition] = {(r.kind, r.field, r.value): r for r in ROWS}


def condition(kind: str, field: str, value: str) -> Condition | None:
    """The row for one status value of one kind of device, or None when it is no condition."""
    return _TABLE.get((kind, field, value)) or _TABLE.get((ANY, field, value))


def recovers(field: str, value: str) -> bool:
    return value in RECOVERED.get(field, ())


def serves(kind: str, status: Mapping[str, str] | None) -> bool:
    """Whether a device with this status serves customers: no condition that stops it and not
    out of service (a device still starting counts as serving; a missing status does not)."""
    if not status:
        return False
    if status.get(SERVICE_FIELD) == OUT_OF_SERVICE:
        return False
    for field, value in status.items():
        row = condition(kind, field, value)
        if row is not None and not row.serving:
            return False
    return True


def services_offered(statuses: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The services (SERVICES keys, in order) the kiosk still offers with these device statuses
    (by device name, which is its kind): one of the devices a service needs serves. A disabled
    device has no status, so what only it gives is not offered."""
    return [service for service, kinds in SERVICES.items()
            if not kinds or any(serves(kind, statuses.get(kind)) for kind in kinds)]


def ways_in(statuses: Mapping[str, Mapping[str, str]] | None) -> list[str]:
    """The ways to begin (WAYS_IN) offered with these statuses; all of them without devices."""
    if statuses is None:
        return list(WAYS_IN)
    offered = services_offered(statuses)
    return [way for way in WAYS_IN if way in offered]


def customer_message(kind: str, field: str, value: str, default: str = DEVICE_UNAVAILABLE) -> str:
    row = condition(kind, field, value)
    return row.customer_message(kind) if row is not None else default


def print_fault_message(fault: str) -> str:
    """The customer's message for a print job stopped by a printer fault (PrinterFault.fault,
    or the print queue's noDevice); print_failed for a fault the table does not name."""
    from drivers.printer.base import FAULT_STATUS
    field, value = FAULT_STATUS.get(fault) or (("device", fault) if fault == "noDevice"
                                               else ("", ""))
    return customer_message("printer", field, value, default=PRINT_FAILED)


def unavailable_message(kind: str) -> str:
    """The customer's message when a kind of device this service needs is not there."""
    return UNAVAILABLE.get(kind, DEVICE_UNAVAILABLE)


def console_levels() -> dict[str, str]:
    """For the staff page: `field.value` → bad (the device stops serving) or warn."""
    return {f"{r.field}.{r.value}": "warn" if r.serving else "bad" for r in ROWS}


# -- one condition per fault ---------------------------------------------------------------
RAISED, RESOLVED, COVERED, PLAIN = "raised", "resolved", "covered", "plain"


@dataclass(frozen=True)
class Outcome:
    """What one status change means. action: raised (a new condition, or a worse value on the
    same field), resolved (the field's condition ended), covered (another field of the device
    already reports this fault: say nothing), plain (no condition starts or ends)."""
    action: str
    device: str
    kind: str
    field: str
    condition: Condition | None = None

    @property
    def key(self) -> str:
        """One open alert per key: printer.paper."""
        return f"{self.device}.{self.field}"

    @property
    def code(self) -> str:
        return self.condition.code(self.kind) if self.condition else ""


def _linked(a: Condition, b: Condition) -> bool:
    return f"{b.field}.{b.value}" in a.linked or f"{a.field}.{a.value}" in b.linked


class ConditionTracker:
    """Follows StatusChanged events and says, for each, what it means (an Outcome)."""

    def __init__(self) -> None:
        # (device, field) -> (condition, covered by another field's condition)
        self._open: dict[tuple[str, str], tuple[Condition, bool]] = {}
        # (device, field) whose plain change was covered by the device being gone
        self._gone_fields: set[tuple[str, str]] = set()

    def open_conditions(self, device: str | None = None) -> list[tuple[str, Condition]]:
        return [(d, row) for (d, _), (row, covered) in self._open.items()
                if not covered and (device is None or d == device)]

    def note(self, event: Any) -> list[Outcome]:
        """The outcomes of one change, in order (a covered value can end an earlier condition
        on the same field: the alert for it is resolved)."""
        device, kind, field, new = event.device, event.kind, event.field, event.new
        key = (device, field)
        previous = self._open.get(key)
        row = condition(kind, field, new)
        if row is not None:
            covered = any(other_field != field and _linked(row, other)
                          and not other_covered
                          for (d, other_field), (other, other_covered) in self._open.items()
                          if d == device)
            self._open[key] = (row, covered)
            if not covered:
                return [Outcome(RAISED, device, kind, field, row)]
            if previous is not None and not previous[1]:
                return [Outcome(RESOLVED, device, kind, field, previous[0]),
                        Outcome(COVERED, device, kind, field, row)]
            return [Outcome(COVERED, device, kind, field, row)]
        if recovers(field, new) and previous is not None:
            del self._open[key]
            return [Outcome(COVERED if previous[1] else RESOLVED, device, kind, field,
                            previous[0])]
        if field != "device" and self._gone(device):
            # the device is not there: its other fields fall to unknown with it (media,
            # chipPower); that restates the device's condition, and so does their first change
            # once it is back
            self._gone_fields.add(key)
            return [Outcome(COVERED, device, kind, field)]
        if key in self._gone_fields:
            self._gone_fields.discard(key)
            return [Outcome(COVERED, device, kind, field)]
        return [Outcome(PLAIN, device, kind, field)]

    def _gone(self, device: str) -> bool:
        """The device itself is not serving (an open condition on its `device` field)."""
        held = self._open.get((device, "device"))
        return held is not None and not held[1] and not held[0].serving
