"""Technician diagnostics: PIN prompt, then panels for status, self-tests, counters, log and
the diagnostics bundle. All device work runs on worker threads; results come back with
Clock.schedule_once, so the panel never blocks.

Opening it (the shell does this; the screen never names other screens):
    from screens import technician
    technician.load_kv()
    screen = technician.TechnicianScreen(gate=gate, devices=core.devices, bus=core.bus,
                                         config=core.config, alerts=core.alerts,
                                         counters=links.counters, name="technician")
    screen.bind(on_exit=lambda *_: <go back to the attract screen>)
The PIN prompt shows first; `gate` (kiosk.technician.TechnicianGate) decides, journals and
locks out. Reach it with `gate.card_presented(pan)` or `gate.corner_touched(corner_of(...))`.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Callable

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.resources import shipped
from kiosk.technician import SelfTests, export_bundle, recent_log_lines

from .widgets.camera_preview import CameraPreview  # noqa: F401  (used by technician.kv)

log = logging.getLogger(__name__)

KV = shipped("screens", "technician.kv")
REFRESH_S = 1.0


def load_kv() -> None:
    if str(KV) not in Builder.files:
        Builder.load_file(str(KV))


class TechnicianScreen(Screen):
    unlocked = BooleanProperty(False)
    pin_message = StringProperty("Technician PIN 维护密码")
    status_text = StringProperty("")
    counters_text = StringProperty("")
    log_text = StringProperty("")
    test_result = StringProperty("")
    export_result = StringProperty("")
    busy = BooleanProperty(False)

    __events__ = ("on_exit",)

    def __init__(self, *, gate: Any, devices: Any, bus: Any, config: Any, alerts: Any = None,
                 counters: Any = None, export_dir: str | Path | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.gate = gate
        self.devices = devices
        self.config = config
        self.alerts = alerts
        self.counters = counters
        self.export_dir = Path(export_dir) if export_dir else config.data_dir / "diag"
        self.self_tests = SelfTests(devices, bus, config)
        self._refresh_event = None

    # -- lifecycle ------------------------------------------------------------------------------
    def on_enter(self, *args: Any) -> None:
        self._refresh_event = Clock.schedule_interval(self.refresh, REFRESH_S)
        self.refresh()

    def on_leave(self, *args: Any) -> None:
        if self._refresh_event is not None:
            self._refresh_event.cancel()
            self._refresh_event = None
        self.ids.camera_preview.stop()
        if self.unlocked:
            self.gate.leave()
        self.unlocked = False

    def on_exit(self) -> None:
        """Event for the shell: the technician is done."""

    def leave(self) -> None:
        self.dispatch("on_exit")

    # -- PIN --------------------------------------------------------------------------------------
    def submit_pin(self, pin: str) -> None:
        self.ids.pin_input.text = ""
        check = self.gate.check_pin(pin)
        if check.ok:
            self.unlocked = True
            self.pin_message = ""
            self.refresh()
        elif check.locked_for_s:
            self.pin_message = (f"Locked for {check.locked_for_s / 60:.0f} min "
                                f"已锁定 {check.locked_for_s / 60:.0f} 分钟")
        else:
            self.pin_message = f"Wrong PIN, {check.tries_left} tries left 密码错误"

    # -- panels ---------------------------------------------------------------------------------
    def refresh(self, _dt: float = 0.0) -> None:
        if not self.unlocked:
            return
        lines = []
        for name, status in sorted(self.devices.statuses().items()):
            lines.append(f"{name}: " + "  ".join(f"{k}={v}" for k, v in status.items()))
        if self.alerts is not None:
            active = self.alerts.active()
            lines.append(f"\nopen alerts: {len(active)}")
            lines += [f"  [{a.severity}] {a.message} ({a.state})" for a in active]
        self.status_text = "\n".join(lines)
        if self.counters is not None:
            self.counters_text = "\n".join(f"{k.replace('_', ' ')}: {v}"
                                           for k, v in self.counters.snapshot().items())

    def run_test(self, name: str) -> None:
        if self.busy:
            return
        preview = self.ids.camera_preview
        if name == "camera":
            preview.camera = self.devices.device("camera")
            preview.start()
        else:
            preview.stop()
        self.test_result = f"{name}: running… (insert a card or scan a code if asked)"
        self._in_background(lambda: self.self_tests.run(name),
                            lambda r: setattr(self, "test_result",
                                              f"{r.device}: {'OK' if r.ok else 'FAILED'} — "
                                              f"{r.summary}"))

    def load_log(self) -> None:
        self._in_background(lambda: recent_log_lines(self.config, 200),
                            lambda lines: setattr(self, "log_text",
                                                  "\n".join(lines) or "(no log yet)"))

    def export(self) -> None:
        if self.busy:
            return
        self.export_result = "writing…"
        self._in_background(
            lambda: export_bundle(self.config, self.export_dir, statuses=self.devices.statuses(),
                                  alerts=self.alerts, counters=self.counters),
            lambda path: setattr(self, "export_result", f"written: {path}"))

    def _in_background(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.busy = True

        def runner() -> None:
            try:
                result = work()
            except Exception as exc:  # shown to the technician, logged with its traceback
                log.exception("technician task failed")
                message = f"failed: {exc}"
                Clock.schedule_once(lambda _dt: self._finish(lambda: setattr(
                    self, "test_result", message)))
                return
            Clock.schedule_once(lambda _dt: self._finish(lambda: done(result)))
        threading.Thread(target=runner, name="technician-task", daemon=True).start()

    def _finish(self, apply: Callable[[], None]) -> None:
        self.busy = False
        apply()
