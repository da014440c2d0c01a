"""The small on-screen tab that opens the simulator panel (emulated mode only)."""
from __future__ import annotations

from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label


class SimulatorHandle(ButtonBehavior, Label):
    pass
