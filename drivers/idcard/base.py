"""ID card reader contract: modelled like a card reader (media) plus its own SAM status."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..base import Capabilities, Device
from ..status import DeviceState, Media, Sam


@dataclass(frozen=True)
class IdCardCapabilities(Capabilities):
    fingerprint: bool = False
    baud_rates: tuple[int, ...] = (115200, 9600)


class IdCardReader(Device):
    """Events: MediaInsertedEvent, MediaRemovedEvent."""

    kind: ClassVar[str] = "idcard"
    status_defaults = {"device": DeviceState.STARTING, "media": Media.UNKNOWN, "sam": Sam.UNKNOWN}
