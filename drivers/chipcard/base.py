"""Chip card reader contract: media and chip power status, insert/remove events."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..base import Capabilities, Device
from ..status import ChipPower, DeviceState, Media


@dataclass(frozen=True)
class ChipCardCapabilities(Capabilities):
    type: str = "dip"  # XFS4IoT cardReader type: motor, swipe, dip, latchedDip, contactless...
    protocols: tuple[str, ...] = ("T0", "T1")


class ChipCardReader(Device):
    """Events: MediaInsertedEvent(atr=hex), MediaRemovedEvent."""

    kind: ClassVar[str] = "chipcard"
    status_defaults = {"device": DeviceState.STARTING, "media": Media.UNKNOWN,
                       "chipPower": ChipPower.UNKNOWN}
