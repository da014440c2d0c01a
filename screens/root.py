"""The window's content: the shared header, the screen of the current step, the dismissible
product suggestion and (emulated mode only) the simulator panel's handle."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, NumericProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk.session.states import AFTER_SESSION, State, Step
from kiosk.technician import corner_of

from . import router
from .widgets.actions import ActionSource
from .widgets.out_of_view import catch_up

SUGGESTION_STEPS = (Step.TAKE_ITEMS,)   # a product suggestion waits for the service to be done


class KioskManager(ScreenManager):
    """Screens swap without a transition, so the manager draws no clipping of its own."""


class InstantTransition(NoTransition):
    """Swaps screens within the frame. NoTransition keeps the old screen in the window until
    the next frame, so each screen's first frame drew both, the old one showing through."""

    def start(self, manager):
        super().start(manager)
        self._anim.cancel(self)
        self._anim = None
        self._on_complete()


class KioskRoot(ActionSource, BoxLayout):
    suggestion = DictProperty({})
    state = ObjectProperty(None, allownone=True)
    prebuilt = BooleanProperty(False)   # every screen is built
    page_size = NumericProperty(6)      # the most rows or choices a screen shows at once
    choice_pad_shown = BooleanProperty(False)   # the accessible mode's numbered buttons
    _customer_seen = False              # a step of a customer's session was shown

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.manager.transition = InstantTransition()
        self.ids.header.bind(on_action=self._forward)
        self.ids.suggestion.bind(on_action=self._forward)
        self._handle = self.ids.simulator_handle.__self__  # a strong reference: it comes and goes
        self._curtain = self.ids.curtain.__self__
        self._curtain.bind(on_action=self._forward)
        self.ids.stage.remove_widget(self._curtain)
        self._choice_pad = self.ids.choice_pad.__self__
        self.ids.stage.remove_widget(self._choice_pad)

    def show_simulator_handle(self, shown: bool) -> None:
        """The simulator's tab is in the window only in emulated mode (hidden, it would still
        take touches at the screen's edge)."""
        stage = self.ids.stage
        if shown and self._handle.parent is None:
            stage.add_widget(self._handle)
        elif not shown and self._handle.parent is not None:
            stage.remove_widget(self._handle)

    @property
    def manager(self):
        return self.ids.manager

    @property
    def choice_pad(self):
        """The accessible mode's numbered buttons (in the window only in that mode)."""
        return self._choice_pad

    def _forward(self, _widget, action, args):
        self.send(action, **args)

    # -- the hidden way into technician mode: a long press in a corner of the attract screen --
    def on_touch_down(self, touch):
        if self.state is not None and self.state.accepts("corner_press"):
            corner = corner_of(touch.x, touch.y, self.width, self.height)
            if corner is not None:
                touch.ud["corner_press"] = (corner, self.screen(self.state.step).now())
        return super().on_touch_down(touch)

    def on_touch_up(self, touch):
        pressed = touch.ud.pop("corner_press", None)
        if pressed is not None:
            corner, since = pressed
            screen = self.screen(self.state.step)
            self.send("corner_press", corner=corner, held_s=round(screen.now() - since, 2))
        return super().on_touch_up(touch)

    def show(self, state: State) -> None:
        self.state = state
        # a suggestion waits for a calm screen and never pushes a task's content around
        self.suggestion = dict(state.suggestion or {}) if state.step in SUGGESTION_STEPS else {}
        header = self.ids.header
        header.help_enabled = state.accepts("help")
        header.language_enabled = state.accepts("language")
        screen = self.screen(state.step)
        if state.step in AFTER_SESSION:
            self.forget_customer(screen)
        else:
            self._customer_seen = True
        screen.render(state)
        if self.manager.current != screen.name:
            self.manager.current = screen.name
        self._show_choice_pad(state)
        self._show_curtain(state.shielded)

    def _show_choice_pad(self, state: State) -> None:
        """The numbered buttons, in the window only in the accessible mode (out of it they take
        no touch), under the curtain and the simulator's tab."""
        stage, pad = self.ids.stage, self._choice_pad
        shown = state.accessible and state.step != Step.TECHNICIAN
        if shown:
            pad.show(state)
            if pad.parent is None:
                stage.add_widget(pad, index=len(stage.children) - 1)   # just above the screens
        elif pad.parent is not None:
            stage.remove_widget(pad)
        self.choice_pad_shown = shown

    def _show_curtain(self, shown: bool) -> None:
        stage = self.ids.stage
        if shown and self._curtain.parent is None:
            stage.add_widget(self._curtain, index=1 if self._handle.parent else 0)
        elif not shown and self._curtain.parent is not None:
            stage.remove_widget(self._curtain)

    def forget_customer(self, shown) -> None:
        """Once a customer's session is over, every other screen drops what it held of them."""
        if self._customer_seen:
            self._customer_seen = False
            for screen in self.manager.screens:
                if screen is not shown:
                    screen.forget()

    def screen(self, step: Step | str):
        """The screen of a step, built the first time it is needed."""
        step = Step(step)
        if not self.manager.has_screen(step.value):
            screen = router.build_screen(step)
            screen.bind(on_action=self._forward)
            self.manager.add_widget(screen)
        return self.manager.get_screen(step.value)

    def prebuild(self, *_):
        """Build the screens not shown yet, one a frame, so the first window comes up fast
        and later transitions find their screen ready, its fixed text already drawn."""
        missing = [s for s in Step if not self.manager.has_screen(s.value)]
        if missing:
            screen = self.screen(missing[0])
            screen.prepare(self.page_size)
            catch_up(screen)
            Clock.schedule_once(self.prebuild, 0)
        else:
            self.prebuilt = True
