"""The header every screen shares: bank name, kiosk id, language switch and help."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import next_language

from .actions import ActionSource


class KioskHeader(ActionSource, BoxLayout):
    kiosk_id = StringProperty("")
    bank_name = StringProperty("")      # [kiosk] bank_name / bank_name_en: names are not translated
    bank_name_en = StringProperty("")
    help_enabled = BooleanProperty(True)
    language_enabled = BooleanProperty(True)

    def switch_language(self, current: str) -> None:
        self.send("language", language=next_language(current))
