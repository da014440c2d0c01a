"""The header every screen shares: bank name, kiosk id, language switch and help."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import next_language

from .actions import ActionSource

LONG_PRESS_S = 1.5   # holding "call staff" this long turns on the accessible mode instead


class KioskHeader(ActionSource, BoxLayout):
    kiosk_id = StringProperty("")
    bank_name = StringProperty("")      # [kiosk] bank_name / bank_name_en: names are not translated
    bank_name_en = StringProperty("")
    help_enabled = BooleanProperty(True)
    language_enabled = BooleanProperty(True)

    _hold = None
    _held = False

    def help_pressed(self) -> None:
        self._held = False
        self._hold = Clock.schedule_once(self._help_held, LONG_PRESS_S)

    def _help_held(self, _dt: float) -> None:
        self._held = True
        self.send("accessible", on=True)

    def help_released(self) -> None:
        if self._hold is not None:
            self._hold.cancel()
            self._hold = None
        if not self._held:
            self.send("help")

    def switch_language(self, current: str) -> None:
        self.send("language", language=next_language(current))
