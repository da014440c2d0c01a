"""The hardware keypad in the accessible mode: a customer who cannot see the screen chooses by
number, types the PIN on fixed keys, hears the screen again and sets the volume (also on the
header's volume buttons, shown whenever the voice speaks).

    *        on the attract screen: turn the accessible mode on; later: say this screen again
    1 .. 9   choose the choice of that number (the voice reads them); on the PIN step: a digit
    0        a PIN digit
    Enter    OK on the PIN step          Backspace   delete the last PIN digit
    Escape   back (where the step has a way back)     + / -   louder / softer

The numbered button area on the screen (screens/widgets/choice_pad.py) names its touches like
these keys, plus "end" (finish the session), and comes through `pressed` too.
"""
from __future__ import annotations

from typing import Any, Callable

from kiosk.session.states import AFTER_SESSION, State, Step
from kiosk.voice.choices import choices

KEYPAD_DIGITS = {256 + d: str(d) for d in range(10)}   # SDL's numeric keypad 0..9
KEY_NAMES = {13: "enter", 271: "enter", 8: "backspace", 27: "escape", 268: "*", 270: "+",
             269: "-"}
VOLUME_STEP = 0.1


def key_name(key: int, codepoint: str | None) -> str:
    if key in KEYPAD_DIGITS:
        return KEYPAD_DIGITS[key]
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    return codepoint or ""


class AccessibleKeys:
    def __init__(self, send: Callable[..., None], voice: Any):
        self.send = send
        self.voice = voice

    def press(self, state: State | None, key: int, codepoint: str | None) -> bool:
        """Handle one key; True when it was the accessible mode's."""
        return self.pressed(state, key_name(key, codepoint))

    def louder(self, step: int) -> None:
        """One step louder (1) or softer (-1); the prompt is said again at the new level."""
        self.voice.set_volume(self.voice.volume + step * VOLUME_STEP)
        self.voice.repeat()

    def pressed(self, state: State | None, name: str) -> bool:
        """Handle one named key (a digit, "*", "+", "-", "enter", "backspace", "escape")."""
        if state is None:
            return False
        if not state.accessible:
            if name == "*" and state.step == Step.ATTRACT:
                self.send("accessible", on=True)
                return True
            return False
        if name == "*":
            self.voice.repeat()
        elif name == "end":
            if state.step in AFTER_SESSION:
                return False
            self.send("end")
        elif name in ("+", "-"):
            self.louder(1 if name == "+" else -1)
        elif state.step == Step.PIN:
            return self._pin(state, name)
        elif name.isdigit() and name != "0":
            listed = choices(state)
            index = int(name) - 1
            if index >= len(listed):
                self.voice.repeat()            # no such choice: hear them again
                return True
            self.send(listed[index].action, **listed[index].args)
        elif name == "escape" and "back" in state.actions:
            self.send("back")
        else:
            return False
        return True

    def _pin(self, state: State, name: str) -> bool:
        keys = [str(k) for k in state.view.get("keys", [])]
        if name.isdigit() and name in keys:
            self.send("digit", key=keys.index(name))
        elif name == "enter":
            self.send("ok")
        elif name == "backspace":
            self.send("backspace")
        elif name == "escape":
            self.send("back")
        else:
            return False
        return True
