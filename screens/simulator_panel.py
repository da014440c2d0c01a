"""The simulator panel (emulated mode only): the person at the screen acts on the emulators.

Generic over whatever each emulator offers: `DeviceManager.emulator(name).actions()` lists
EmulatorAction(name, label, choices) and `.perform(action, choice)` does it. Actions run on a
worker thread (an emulator may take a moment); the outcome comes back with Clock.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from kivy.clock import Clock
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.modalview import ModalView
from kivy.uix.stacklayout import StackLayout

from drivers.registry import DEVICE_NAMES
from kiosk.i18n import N_

from .widgets.controls import Chip, KButton, KLabel

log = logging.getLogger(__name__)

DEVICE_TEXT = {"chipcard": N_("Bank card reader"), "idcard": N_("ID card reader"),
               "printer": N_("Receipt printer"), "camera": N_("Camera"), "scanner": N_("Barcode scanner")}


def one_line_width(label: Any) -> float:
    """The width of a label's text on one line, in its font and size."""
    from kivy.core.text import Label as CoreLabel
    text = CoreLabel(text=label.text, font_size=label.font_size, font_name=label.font_name,
                     bold=label.bold)
    text.refresh()
    return text.texture.size[0]


class SimulatorPanel(ModalView):
    devices = ObjectProperty(None)
    outcome = StringProperty("")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._choices: dict[tuple[str, str], str] = {}
        self.populate()

    def emulators(self) -> list[tuple[str, Any]]:
        found = []
        for name in DEVICE_NAMES:
            emulator = self.devices.emulator(name) if self.devices is not None else None
            if emulator is not None:
                found.append((name, emulator))
        return found

    def populate(self) -> None:
        from kiosk.i18n import translate
        from kivy.app import App
        language = App.get_running_app().language
        box = self.ids.devices
        box.clear_widgets()
        for device, emulator in self.emulators():
            box.add_widget(KLabel(text=translate(language, DEVICE_TEXT.get(device, device)),
                                  role="heading"))
            for action in emulator.actions():
                box.add_widget(self._action_row(device, action, language))
        if not box.children:
            box.add_widget(KLabel(text=translate(language, N_("No emulated devices are running."))))

    def _action_row(self, device: str, action: Any, language: str):
        from kivy.uix.boxlayout import BoxLayout
        from kiosk.i18n import translate
        row = BoxLayout(size_hint_y=None, spacing=8)
        label = translate(language, action.label)
        if label == action.label:  # an emulator's new action the catalogs do not know yet
            label = action.name.replace("_", " ")
        button = KButton(text=label, style="secondary", size_hint_x=0.4)
        button.bind(on_release=lambda *_: self.perform(device, action.name))
        row.add_widget(button)
        row.height = button.height
        if action.choices:
            self._choices[(device, action.name)] = action.choices[0]
            # each chip as wide as its name, in as many lines as they need: squeezed into
            # one line, ten card profiles wrapped letter by letter
            chips = StackLayout(spacing=6, size_hint_y=None)
            for choice in action.choices:
                chip = Chip(text=choice, selected=choice == action.choices[0],
                            size_hint_x=None)
                chip.width = one_line_width(chip) + 2 * chip.height * 0.3
                chip.bind(on_release=lambda c, ch=choice, cs=chips: self._choose(
                    device, action.name, ch, cs))
                chips.add_widget(chip)
            chips.bind(minimum_height=lambda c, h: (setattr(c, "height", h),
                                                     setattr(row, "height", max(h, button.height))))
            row.add_widget(chips)
        return row

    def _choose(self, device: str, action: str, choice: str, chips) -> None:
        self._choices[(device, action)] = choice
        for chip in chips.children:
            chip.selected = chip.text == choice

    def perform(self, device: str, action: str) -> threading.Thread:
        emulator = self.devices.emulator(device)
        choice = self._choices.get((device, action))
        self.outcome = f"{device}: {action} {choice or ''} ..."

        def run() -> None:
            try:
                emulator.perform(action, choice)
                text = f"{device}: {action} {choice or ''}: done"
            except Exception as exc:  # shown to the tester, never to a customer
                log.warning("simulator: %s %s failed: %s", device, action, exc)
                text = f"{device}: {action} failed: {exc}"
            Clock.schedule_once(lambda _dt: setattr(self, "outcome", text))

        worker = threading.Thread(target=run, name=f"simulator-{device}", daemon=True)
        worker.start()
        return worker
