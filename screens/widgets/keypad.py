"""An on-screen keypad (no IME on a kiosk): digits in any order, backspace and clear.

`keys` are the ten digit labels in screen order; a PIN pad gets them shuffled from the session.
Pressing a digit dispatches `on_key(index)`: the index into `keys`, so a PIN pad never handles
the digit itself. `extra_key` adds one more key (e.g. "." for amounts) that dispatches `on_extra`.
"""
from __future__ import annotations

from kivy.properties import ListProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from .controls import KButton

DIGITS = tuple("1234567890")


class KeypadKey(KButton):
    pass


class Keypad(GridLayout):
    keys = ListProperty(list(DIGITS))
    extra_key = StringProperty("")
    backspace_label = StringProperty("")
    clear_label = StringProperty("")
    __events__ = ("on_key", "on_extra", "on_backspace", "on_clear")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._shape: list[tuple[str, tuple[int, ...]]] = []
        self.bind(keys=self._rebuild, extra_key=self._rebuild, clear_label=self._rebuild,
                  backspace_label=self._rebuild)
        self._rebuild()

    def _layout(self) -> list[tuple[str, str, tuple[int, ...]]]:
        """(label, event, args) of each key in screen order."""
        keys = list(self.keys)
        layout = [(label, "on_key", (index,)) for index, label in enumerate(keys[:9])]
        layout.append((self.extra_key, "on_extra", ()) if self.extra_key
                      else (self.clear_label, "on_clear", ()))
        if len(keys) > 9:
            layout.append((keys[9], "on_key", (9,)))
        layout.append((self.backspace_label, "on_backspace", ()))
        return layout

    def _rebuild(self, *_):
        """New labels (a shuffle, another language) relabel the keys in place; only another
        set of keys builds new ones."""
        layout = self._layout()
        shape = [(event, args) for _label, event, args in layout]
        if shape == self._shape:
            for key, (label, _event, _args) in zip(reversed(self.children), layout):
                key.text = label
            return
        self._shape = shape
        self.clear_widgets()
        for label, event, args in layout:
            self.add_widget(self._key(label, event, *args))

    def _key(self, label: str, event: str, *args) -> KeypadKey:
        key = KeypadKey(text=label, style="secondary",
                        text_role="key" if event in ("on_key", "on_extra") else "button")
        key.bind(on_release=lambda *_: self.dispatch(event, *args))
        return key

    def press_digit(self, digit: str) -> None:
        """Press the key that shows `digit` (for people and tests alike)."""
        self.dispatch("on_key", list(self.keys).index(digit))

    def key_widget(self, label: str) -> KeypadKey:
        for child in self.children:
            if child.text == label:
                return child
        raise KeyError(label)

    def on_key(self, index: int) -> None:
        pass

    def on_extra(self) -> None:
        pass

    def on_backspace(self) -> None:
        pass

    def on_clear(self) -> None:
        pass
