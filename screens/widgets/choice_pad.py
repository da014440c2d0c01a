"""The accessible mode's numbered button area: a column at the stage's left edge with a large
button for each choice the voice reads out (1 .. 9, each always in the same place) and repeat,
back and finish. A touch is named like the keypad's key (`on_key("3")`, "*", "escape", "end")
and goes the keypad's way (screens/accessible_keys.py), so a numbered button and the keypad's
digit choose the same thing. In the window only in the accessible mode; the screens then have
the rest of the stage."""
from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.session.states import AFTER_SESSION, State, Step
from kiosk.voice.choices import choices


class ChoicePad(BoxLayout):
    __events__ = ("on_key",)
    offered = NumericProperty(0)          # choices 1..offered can be touched now
    can_go_back = BooleanProperty(False)
    can_finish = BooleanProperty(False)

    def show(self, state: State) -> None:
        self.offered = len(choices(state))
        self.can_go_back = "back" in state.actions
        self.can_finish = state.step not in AFTER_SESSION and state.step != Step.TECHNICIAN

    def pressed(self, name: str) -> None:
        self.dispatch("on_key", name)

    def on_key(self, name: str) -> None:
        pass
