"""An on-screen letter keyboard for names in pinyin (a kiosk has no reliable IME)."""
from __future__ import annotations

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from .controls import KButton

ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


class LetterKey(KButton):
    pass


class LetterKeyboard(BoxLayout):
    """Dispatches `on_letter(letter)`, `on_space` and `on_backspace`."""
    __events__ = ("on_letter", "on_space", "on_backspace")
    space_label = StringProperty("")
    backspace_label = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for letters in ROWS:
            row = BoxLayout()
            self.bind(spacing=row.setter("spacing"))
            for letter in letters:
                key = LetterKey(text=letter)
                key.bind(on_release=lambda k: self.dispatch("on_letter", k.text))
                row.add_widget(key)
            self.add_widget(row)
        self.ids_space = LetterKey()
        self.ids_space.bind(on_release=lambda *_: self.dispatch("on_space"))
        self.ids_backspace = LetterKey()
        self.ids_backspace.bind(on_release=lambda *_: self.dispatch("on_backspace"))
        last = BoxLayout()
        self.bind(spacing=last.setter("spacing"))
        last.add_widget(self.ids_space)
        last.add_widget(self.ids_backspace)
        self.add_widget(last)
        self.bind(space_label=self.ids_space.setter("text"),
                  backspace_label=self.ids_backspace.setter("text"))
        self.ids_space.text, self.ids_backspace.text = self.space_label, self.backspace_label

    def on_letter(self, letter: str) -> None:
        pass

    def on_space(self) -> None:
        pass

    def on_backspace(self) -> None:
        pass
