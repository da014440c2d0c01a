"""Barcode input contract: cameras and serial scanners both deliver CodeReadEvent."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..base import Capabilities, Device
from ..status import Camera, DeviceState, Scanner


@dataclass(frozen=True)
class BarcodeCapabilities(Capabilities):
    symbologies: tuple[str, ...] = ("QRCODE",)


class BarcodeReader(Device):
    """A serial scanner. Events: CodeReadEvent(symbology, text)."""

    kind: ClassVar[str] = "scanner"
    status_defaults = {"device": DeviceState.STARTING, "scanner": Scanner.UNKNOWN}


class CameraDevice(Device):
    """A camera decoded in software. Events: CodeReadEvent(symbology, text)."""

    kind: ClassVar[str] = "camera"
    status_defaults = {"device": DeviceState.STARTING, "camera": Camera.UNKNOWN}
