"""Barcode input contract: cameras and serial scanners both deliver CodeReadEvent.

`CodeReadEvent` data: symbology ("QRCODE", "EAN13", "CODE128"...), text (decoded, untrusted:
parse it with drivers.barcode.scanned_codes), polygon (outline in frame pixels, camera only; [] otherwise).
A code held in view or scanned twice within `repeat_window_s` gives one event.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Sequence

from drivers.privacy import mask_code_text

from ..base import Capabilities, Device
from ..status import Camera, DeviceState, Scanner
from .reading import RepeatFilter

CODE_READ_EVENT = "CodeReadEvent"
DEFAULT_REPEAT_WINDOW_S = 3.0


@dataclass(frozen=True)
class BarcodeCapabilities(Capabilities):
    symbologies: tuple[str, ...] = ("QRCODE",)


class _CodeInput(Device):
    """What cameras and scanners share: one CodeReadEvent per code, logged without personal data."""

    def __init__(self, name: str, *, port: str = "", timeout: float = 2.0,
                 repeat_window_s: float = DEFAULT_REPEAT_WINDOW_S):
        super().__init__(name, port=port, timeout=timeout)
        self.repeats = RepeatFilter(repeat_window_s)

    def _code_read(self, symbology: str, text: str,
                   polygon: Sequence[tuple[int, int]] = ()) -> bool:
        """Emit CodeReadEvent unless this code was just read; True when emitted."""
        if not self.repeats.is_new(symbology, text):
            return False
        # Codes can carry card or ID numbers (counter forms): only a masked prefix is logged.
        self.log.info("%s: %s read (%d chars): %s", self.name, symbology, len(text),
                      mask_code_text(symbology, text)[:24])
        self._emit(CODE_READ_EVENT, symbology=symbology, text=text,
                   polygon=[list(p) for p in polygon])
        return True


class BarcodeReader(_CodeInput):
    """A serial scanner. Events: CodeReadEvent(symbology, text, polygon=[]).

    With a trigger (`has_trigger`), scanning runs between start_scan() and stop_scan() and the
    `scanner` status is on/off; without one the scanner reads whatever is presented (on).
    """

    kind: ClassVar[str] = "scanner"
    status_defaults = {"device": DeviceState.STARTING, "scanner": Scanner.UNKNOWN}
    has_trigger: bool = False

    def open(self) -> None:
        super().open()
        self._set_status("scanner", Scanner.OFF if self.has_trigger else Scanner.ON)

    def close(self, state: DeviceState = DeviceState.OFFLINE) -> None:
        super().close(state)
        self._set_status("scanner", Scanner.UNKNOWN if state == DeviceState.OFFLINE
                         else Scanner.INOPERATIVE)

    def start_scan(self) -> None:
        """Switch the aimer on (trigger scanners); a no-op for presentation scanners."""
        if self.has_trigger:
            with self._translate("start scan"):
                self._start_scan()
        self._set_status("scanner", Scanner.ON)

    def stop_scan(self) -> None:
        if self.has_trigger:
            with self._translate("stop scan"):
                self._stop_scan()
            self._set_status("scanner", Scanner.OFF)

    def _start_scan(self) -> None:
        raise NotImplementedError

    def _stop_scan(self) -> None:
        raise NotImplementedError


class CameraDevice(_CodeInput):
    """A camera decoded in software. Events: CodeReadEvent(symbology, text, polygon).

    The `camera` status is ok while frames arrive and inoperative when none came for
    `stale_after_s`; backends also keep the latest frame for the preview (`preview()`).
    """

    kind: ClassVar[str] = "camera"
    # format: what the source gives, e.g. "MJPG 1280x720 30fps" (free text; "" until opened)
    status_defaults = {"device": DeviceState.STARTING, "camera": Camera.UNKNOWN, "format": ""}

    def close(self, state: DeviceState = DeviceState.OFFLINE) -> None:
        super().close(state)
        if state != DeviceState.OFFLINE:
            self._set_status("camera", Camera.INOPERATIVE)
