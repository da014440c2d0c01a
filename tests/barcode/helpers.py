"""Shared helpers for the barcode tests: waiting, event capture, configs in temp dirs."""
from __future__ import annotations

import threading

from drivers.base import DeviceEvent, StatusChanged
from kiosk.config import load_config
from tests.helpers import wait_for  # noqa: F401  (re-exported for the barcode tests)


class Recorder:
    """Collects device events (thread-safe) as a listener or bus subscriber."""

    def __init__(self):
        self._lock = threading.Lock()
        self.events = []

    def __call__(self, event):
        with self._lock:
            self.events.append(event)

    def codes(self):
        with self._lock:
            return [(e.data["symbology"], e.data["text"]) for e in self.events
                    if isinstance(e, DeviceEvent) and e.name == "CodeReadEvent"]

    def code_events(self):
        with self._lock:
            return [e for e in self.events if isinstance(e, DeviceEvent)
                    and e.name == "CodeReadEvent"]

    def changes(self, field):
        with self._lock:
            return [(e.old, e.new) for e in self.events
                    if isinstance(e, StatusChanged) and e.field == field]


def only_device_config(tmp_path, device, extra=""):
    """A config in tmp_path with only `device` enabled, on its emulator."""
    others = [n for n in ("chipcard", "idcard", "printer", "camera", "scanner") if n != device]
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        '[kiosk]\ndata_dir = "var"\n'
        '[devices]\nreconnect_min_s = 0.05\nreconnect_max_s = 0.2\n'
        + "".join(f"[devices.{n}]\nenabled = false\n" for n in others)
        + extra, encoding="utf-8")
    return load_config(toml)
