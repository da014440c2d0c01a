"""Identify: insert a bank card, lay the ID card on the reader, or scan an appointment code."""
from __future__ import annotations

from typing import Any

from kivy.app import App

from kiosk.i18n import N_
from kiosk.session.states import State, Step

from .base import KioskScreen

METHOD_TEXT = {"card": (N_("Bank card"), N_("Insert your card into the slot below the screen, chip first.")),
               "idcard": (N_("ID card"), N_("Lay your resident ID card flat on the reader on the right.")),
               "qr": (N_("Appointment code"), N_("Hold the code in your mobile banking app up to the camera."))}
QR_TITLE, QR_HINT = METHOD_TEXT["qr"]


class IdentifyScreen(KioskScreen):
    """Shows the ways to identify that work now; with the appointment code among them, the
    camera's live picture (the configured camera device, through the app's device manager)."""
    step = Step.IDENTIFY

    def on_render(self, state: State) -> None:
        preview = self.ids.qr_method.ids.preview
        if "qr" in state.view.get("methods", ()) and self.manager is not None \
                and self.manager.current == self.name:
            preview.camera = _camera()
            preview.start()
        else:
            preview.stop()

    def on_enter(self, *args: Any) -> None:
        if self.state is not None:
            self.on_render(self.state)

    def on_leave(self, *args: Any) -> None:
        super().on_leave(*args)
        self.ids.qr_method.ids.preview.stop()


def _camera() -> Any:
    devices = getattr(App.get_running_app(), "devices", None)
    return devices.device("camera") if devices is not None else None
