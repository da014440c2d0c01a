"""The window's content: the shared header, the screen of the current step, the dismissible
product suggestion and (emulated mode only) the simulator panel's handle."""
from __future__ import annotations

from kivy.properties import DictProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition

from kiosk.session.states import State, Step

from .widgets.actions import ActionSource

# steps where the session does not take a help request (nobody is being served)
NO_HELP_STEPS = (Step.ATTRACT, Step.GOODBYE, Step.RATING)


class KioskRoot(ActionSource, BoxLayout):
    suggestion = DictProperty({})
    state = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.manager.transition = NoTransition()
        self.ids.header.bind(on_action=self._forward)
        self.ids.suggestion.bind(on_action=self._forward)

    @property
    def manager(self):
        return self.ids.manager

    def _forward(self, _widget, action, args):
        self.send(action, **args)

    def show(self, state: State) -> None:
        self.state = state
        self.suggestion = dict(state.suggestion or {})
        header = self.ids.header
        header.help_enabled = state.accepts("help") and state.step not in NO_HELP_STEPS
        header.language_enabled = state.accepts("language")
        screen = self.manager.get_screen(state.step.value)
        screen.render(state)
        if self.manager.current != screen.name:
            self.manager.current = screen.name

    def screen(self, step: Step | str):
        return self.manager.get_screen(str(step))
