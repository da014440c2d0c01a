"""Receipt printer contract: paper, cover and cutter status, paper threshold events."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..base import Capabilities, Device
from ..status import Cover, DeviceState, Media, Paper


@dataclass(frozen=True)
class PrinterCapabilities(Capabilities):
    paper_width_chars: int = 48
    paper_width_dots: int = 576
    cutter: bool = True
    qr: bool = True
    code_page: str = "gb18030"


class ReceiptPrinter(Device):
    """Events: PaperThresholdEvent(paper=full|low|out), MediaPresentedEvent, MediaTakenEvent."""

    kind: ClassVar[str] = "printer"
    status_defaults = {"device": DeviceState.STARTING, "paper": Paper.UNKNOWN,
                       "media": Media.UNKNOWN, "cover": Cover.UNKNOWN, "cutter": "unknown"}
