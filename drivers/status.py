"""The XFS4IoT status vocabulary our drivers report (see shared notes device-status-model.md).

Values are the camelCase wire names, so bank monitoring staff read them without a glossary.
Every per-kind enum keeps `unknown` and `notSupported`.
"""
from enum import Enum


class _Wire(str, Enum):
    def __str__(self) -> str:  # json.dumps and f-strings give the wire name
        return self.value


class DeviceState(_Wire):
    ONLINE = "online"
    OFFLINE = "offline"
    POWER_OFF = "powerOff"
    NO_DEVICE = "noDevice"
    HARDWARE_ERROR = "hardwareError"
    USER_ERROR = "userError"
    DEVICE_BUSY = "deviceBusy"
    FRAUD_ATTEMPT = "fraudAttempt"
    POTENTIAL_FRAUD = "potentialFraud"
    STARTING = "starting"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "notSupported"


class Media(_Wire):
    UNKNOWN = "unknown"
    PRESENT = "present"
    NOT_PRESENT = "notPresent"
    JAMMED = "jammed"
    ENTERING = "entering"
    LATCHED = "latched"
    RETRACTED = "retracted"
    NOT_SUPPORTED = "notSupported"


class ChipPower(_Wire):
    UNKNOWN = "unknown"
    ONLINE = "online"
    BUSY = "busy"
    POWERED_OFF = "poweredOff"
    NO_DEVICE = "noDevice"
    HARDWARE_ERROR = "hardwareError"
    NO_CARD = "noCard"
    NOT_SUPPORTED = "notSupported"


class Paper(_Wire):
    UNKNOWN = "unknown"
    FULL = "full"
    LOW = "low"
    OUT = "out"
    JAMMED = "jammed"
    NOT_SUPPORTED = "notSupported"


class Scanner(_Wire):
    ON = "on"
    OFF = "off"
    INOPERATIVE = "inoperative"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "notSupported"


class Camera(_Wire):
    OK = "ok"
    INOPERATIVE = "inoperative"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "notSupported"


class Sam(_Wire):
    """ID card readers' security module; XFS4IoT has no class for it, so the names follow `storage`."""
    OK = "ok"
    INOPERATIVE = "inoperative"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "notSupported"


class Cover(_Wire):
    CLOSED = "closed"
    OPEN = "open"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "notSupported"
