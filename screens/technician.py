"""Technician mode (session step TECHNICIAN): an out-of-service notice for customers, the
technician PIN on an on-screen keypad, then panels for status, self-tests, device actions,
counters, log and the diagnostics bundle.

The session decides everything (kiosk.session.technician): this screen renders the step's
view and sends actions (pin, self_test, device, log, export, exit). Live device statuses and
counters are read-only from the technician desk the app holds (`app.technician`).
"""
from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty

from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets.camera_preview import CameraPreview  # noqa: F401  (used by technician.kv)

REFRESH_S = 1.0


class TechnicianScreen(KioskScreen):
    step = Step.TECHNICIAN
    status_text = StringProperty("")
    counters_text = StringProperty("")
    entered = NumericProperty(0)   # PIN digits typed so far (the digits stay in this screen)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._digits: list[int] = []
        self._refresh_event = None
        # the PIN prompt and the panels take turns in the window (a hidden, disabled widget
        # would still swallow touches)
        self._pin_box = self.ids.pin_box.__self__
        self._panels = self.ids.panels.__self__
        self.ids.body.remove_widget(self._panels)

    @staticmethod
    def desk() -> Any:
        return getattr(App.get_running_app(), "technician", None)

    def on_render(self, state: State) -> None:
        is_open = state.view.get("phase") == "open"
        shown, hidden = (self._panels, self._pin_box) if is_open else (self._pin_box,
                                                                         self._panels)
        if hidden.parent is not None:
            self.ids.body.remove_widget(hidden)
        if shown.parent is None:
            self.ids.body.add_widget(shown)
        if self.arriving() or not is_open:
            self.clear_pin()
        if is_open:
            self.refresh()
        else:
            self.ids.camera_preview.stop()

    # -- PIN keypad ----------------------------------------------------------------------------
    def press(self, index: int) -> None:
        if len(self._digits) < 12:
            self._digits.append(int(self.ids.keypad.keys[index]))
            self.entered = len(self._digits)

    def backspace(self) -> None:
        if self._digits:
            self._digits.pop()
            self.entered = len(self._digits)

    def clear_pin(self) -> None:
        self._digits[:] = [0] * len(self._digits)
        self._digits.clear()
        self.entered = 0

    def submit_pin(self) -> None:
        if self._digits:
            pin = "".join(map(str, self._digits))
            self.clear_pin()
            self.send("pin", pin=pin)

    # -- panels --------------------------------------------------------------------------------
    def on_enter(self, *args: Any) -> None:
        self._refresh_event = Clock.schedule_interval(self.refresh, REFRESH_S)

    def on_leave(self, *args: Any) -> None:
        super().on_leave(*args)
        if self._refresh_event is not None:
            self._refresh_event.cancel()
            self._refresh_event = None
        self.ids.camera_preview.stop()
        self.clear_pin()

    def refresh(self, _dt: float = 0.0) -> None:
        desk = self.desk()
        if desk is None or self.view.get("phase") != "open":
            return
        lines = [f"{name}: " + "  ".join(f"{k}={v}" for k, v in status.items())
                 for name, status in sorted(desk.devices.statuses().items())]
        if desk.alerts is not None:
            active = desk.alerts.active()
            lines.append(f"\nopen alerts: {len(active)}")
            lines += [f"  [{a.severity}] {a.message} ({a.state})" for a in active]
        self.status_text = "\n".join(lines)
        if desk.counters is not None:
            self.counters_text = "\n".join(f"{k.replace('_', ' ')}: {v}"
                                           for k, v in desk.counters.snapshot().items())

    @staticmethod
    def entered_by(via: str) -> str:
        """How the technician came in, in the panel's two languages ("card 622202******0117",
        "corner tl", "gesture" from kiosk.technician)."""
        how, _, detail = via.partition(" ")
        if how == "card":
            return f"Technician card 技术员卡 {detail}"
        if how in ("corner", "gesture"):
            return "Hidden corner 隐藏角落"
        return via

    @staticmethod
    def not_fitted(view: dict, device: str) -> str:
        """Under a device's name when this kiosk has none configured (its buttons are off)."""
        return "" if device in view.get("devices", ()) else "\nNot fitted 未配置"

    @staticmethod
    def busy_or_absent(view: dict, device: str) -> bool:
        """A device's buttons are off while an action runs or when it is not configured."""
        return bool(view.get("checking")) or device not in view.get("devices", ())

    def toggle_service(self, device: str) -> None:
        out = device in self.view.get("out_of_service", ())
        self.send("device", device=device, do="in_service" if out else "out_of_service")

    def self_test(self, device: str) -> None:
        preview = self.ids.camera_preview
        desk = self.desk()
        if device == "camera" and desk is not None:
            preview.camera = desk.devices.device("camera")
            preview.start()
        else:
            preview.stop()
        self.send("self_test", device=device)
