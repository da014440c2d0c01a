"""Transfer to a new payee: the account number on a keypad and the payee's name on a pinyin
keyboard with character candidates (a kiosk has no reliable IME).

What is typed stays on this screen until the customer presses Continue; the session checks it.
Arriving, the screen shows the session's entry (empty for a new payee), never what it last held.
"""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ListProperty, NumericProperty, OptionProperty, StringProperty

from kiosk.paging import page_count
from kiosk.session.states import State, Step

from .base import KioskScreen
from .widgets import pinyin_input
from .widgets.controls import KButton

CANDIDATES_PER_PAGE = 7


class PayeeEntryScreen(KioskScreen):
    step = Step.PAYEE_ENTRY
    account_number = StringProperty("")
    payee_name = StringProperty("")
    pinyin = StringProperty("")
    candidates = ListProperty([])
    candidate_page = NumericProperty(0)
    field = OptionProperty("account", options=("account", "name"))
    # what the session accepts (kiosk/session/rules.py), from the state's view
    account_min = NumericProperty(1)
    account_max = NumericProperty(0)
    name_max = NumericProperty(0)
    _entered: tuple[str, str] | None = None
    _waiting = None

    def on_kv_post(self, *_):
        # the keypad and the letter keyboard share one place: only the one in use is in the
        # window (a hidden widget would still take the touches)
        self._inputs = {"account": self.ids.keypad.__self__, "name": self.ids.name_input.__self__}
        self.on_field()

    def on_field(self, *_):
        inputs = getattr(self, "_inputs", None)
        if inputs is None:
            return
        area = self.ids.input_area
        area.clear_widgets()
        area.add_widget(inputs[self.field])

    def on_enter(self, *_):
        pinyin_input.warm_up()

    def on_render(self, state: State) -> None:
        account, name = state.view.get("account_length", {}), state.view.get("name_length", {})
        self.account_min, self.account_max = account.get("min", 1), account.get("max", 0)
        self.name_max = name.get("max", 0)
        entered = (state.view.get("account_number", ""), state.view.get("name", ""))
        if self.arriving() or entered != self._entered:  # the session's entry, not the last
            self._entered = entered
            self.account_number, self.payee_name = entered
            self.pinyin = ""
            problem = state.view.get("problem", "")
            name_problem = problem.startswith("payee_name")
            self.field = "name" if name_problem or (self.account_number and not problem
                                                     and not self.payee_name) else "account"

    def on_forget(self) -> None:
        self._entered = None
        self.account_number = self.payee_name = self.pinyin = ""
        self.candidates = []
        self.field = "account"

    # -- account number ----------------------------------------------------------------------
    def add_digit(self, index: int) -> None:
        digit = self.ids.keypad.keys[index]
        if len(self.account_number) < self.account_max:
            self.account_number += digit

    def clear(self) -> None:
        self.account_number = ""

    # -- name ----------------------------------------------------------------------------------
    def add_letter(self, letter: str) -> None:
        if len(self.pinyin) < 6:
            self.pinyin += letter.lower()

    def add_space(self) -> None:
        """Space takes the letters as they are (names written in Latin letters)."""
        if self.pinyin:
            self._append(self.pinyin.upper() + " ")
            self.pinyin = ""
        elif self.payee_name and not self.payee_name.endswith(" "):
            self._append(" ")

    def choose(self, character: str) -> None:
        self._append(character)
        self.pinyin = ""

    def _append(self, text: str) -> None:
        self.payee_name = (self.payee_name + text)[:self.name_max]

    def backspace(self) -> None:
        if self.field == "account":
            self.account_number = self.account_number[:-1]
        elif self.pinyin:
            self.pinyin = self.pinyin[:-1]
        else:
            self.payee_name = self.payee_name[:-1]

    def on_pinyin(self, *_):
        self.candidate_page = 0
        self.candidates = pinyin_input.candidates(self.pinyin)
        if self.pinyin and not pinyin_input.ready() and self._waiting is None:
            self._waiting = Clock.schedule_interval(self._check_ready, 0.2)

    def _check_ready(self, _dt):
        if pinyin_input.ready() or not self.pinyin:
            self._waiting = None
            self.on_pinyin()
            return False
        return True

    def on_candidates(self, *_):
        self._show_candidates()

    def on_candidate_page(self, *_):
        self._show_candidates()

    def _show_candidates(self) -> None:
        bar = self.ids.candidates
        bar.clear_widgets()
        start = self.candidate_page * CANDIDATES_PER_PAGE
        for character in self.candidates[start:start + CANDIDATES_PER_PAGE]:
            key = KButton(text=character, style="secondary")
            key.bind(on_release=lambda k: self.choose(k.text))
            bar.add_widget(key)
        if len(self.candidates) > CANDIDATES_PER_PAGE:
            more = KButton(text="»", style="quiet")
            pages = page_count(len(self.candidates), CANDIDATES_PER_PAGE)
            more.bind(on_release=lambda *_: setattr(self, "candidate_page",
                                                    (self.candidate_page + 1) % pages))
            bar.add_widget(more)

    def submit(self) -> None:
        name = self.payee_name.strip()
        self.send("submit", account_number=self.account_number, name=name)
