"""The Kivy app shell: font, window settings, header, and a ScreenManager that shows whatever
step the session's state machine is in.

Session states arrive on any thread; they are handed to the UI thread with a Clock trigger and
only the newest one is rendered. Screens send the customer's actions back through the shell.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from typing import Any, Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from kiosk.config import KioskConfig, UiSection
from kiosk.i18n import LANGUAGES, translations
from kiosk.session.states import State, Step
from kiosk.systemd import ServiceNotifier

from .base import KioskScreen
from .idle_gc import IdleCollector
from .lockdown import Lockdown, lock_kivy_config
from .supervision import Supervision
from .theme import Theme

log = logging.getLogger(__name__)


def configure_kivy(ui: UiSection, *, locked: bool = False) -> None:
    """Window and input settings; must run before the window exists (before `App.run`).
    `locked` (the production profile) adds the lock-down of screens/lockdown.py."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config
    Config.set("graphics", "width", str(ui.width))
    Config.set("graphics", "height", str(ui.height))
    Config.set("graphics", "fullscreen", "auto" if ui.fullscreen else "0")
    Config.set("graphics", "borderless", "1" if ui.borderless else "0")
    Config.set("graphics", "show_cursor", "1" if ui.show_cursor else "0")
    Config.set("graphics", "resizable", "0" if ui.fullscreen else "1")
    # one touchscreen, one input provider; right clicks must not leave red multitouch dots
    Config.set("input", "mouse", "mouse" if ui.multitouch_emulation else "mouse,disable_multitouch")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    if locked:
        lock_kivy_config()


def register_font(path: Path) -> None:
    """Make the CJK font Kivy's default, before any widget is built (Roboto has no Chinese)."""
    from kivy.core.text import DEFAULT_FONT, LabelBase
    if not path.is_file():
        raise FileNotFoundError(f"UI font {path} is missing: check [ui] font in the config")
    LabelBase.register(DEFAULT_FONT, str(path))


class KioskApp(App):
    language = StringProperty("zh_CN")
    elderly = BooleanProperty(False)
    voice_on = BooleanProperty(False)     # the voice guide speaks to this customer
    theme = ObjectProperty(None)
    kiosk_id = StringProperty("")
    config_bank = ListProperty(["", ""])  # the bank's name in Chinese and English, from config
    simulator_enabled = BooleanProperty(False)

    def __init__(self, config: KioskConfig, session: Any, *, devices: Any = None,
                 technician: Any = None, **kwargs: Any):
        """`session` offers subscribe(listener) and send(action, **args) (kiosk.session);
        `devices` is the DeviceManager whose emulators the simulator panel drives;
        `technician` the technician desk whose live statuses the technician screen shows."""
        super().__init__(**kwargs)
        self.kiosk_config = config
        self.title = "Lobby kiosk"
        self.theme = Theme(elderly_text_scale=config.ui.elderly_text_scale)
        self.language = config.ui.language
        self.kiosk_id = config.kiosk.id
        self.config_bank = [config.kiosk.bank_name, config.kiosk.bank_name_en]
        self.lockdown = Lockdown()
        self.use_kivy_settings = not self.locked
        self.simulator_enabled = self._simulator_allowed(devices)
        self.devices = devices
        self.technician = technician
        self.session = session
        self._unsubscribe: Callable[[], None] | None = None
        self._pending: State | None = None
        self._pending_lock = threading.Lock()
        self._apply_trigger = Clock.create_trigger(self._apply_pending, -1)
        self.current_state: State | None = None
        self.rendered = 0  # states rendered, for tests and the benchmark
        self.collector = IdleCollector()
        self.supervision = Supervision(ServiceNotifier.from_environment())
        self.voice = self._voice_guide(config)
        from .accessible_keys import AccessibleKeys
        self.accessible_keys = AccessibleKeys(self.send, self.voice)
        self._unsubscribe_voice: Callable[[], None] | None = None

    @staticmethod
    def _voice_guide(config: KioskConfig):
        from kiosk.voice.guide import VoiceGuide
        from kiosk.voice.synth import SpeechCache, VoiceSettings
        from .voice_player import KivyPlayer
        cache = SpeechCache(config.path(config.voice.cache_dir),
                            VoiceSettings(speed_wpm=config.voice.speed_wpm))
        return VoiceGuide(cache, KivyPlayer(), enabled=config.voice.enabled,
                          volume=config.voice.volume)

    @property
    def locked(self) -> bool:
        """The production profile: no way out of the app (screens/lockdown.py)."""
        return self.kiosk_config.kiosk.profile == "production"

    def _simulator_allowed(self, devices: Any) -> bool:
        """The simulator panel exists only on emulated devices, only when configured, and never
        in the production profile."""
        ui = self.kiosk_config.ui
        return bool(self.kiosk_config.emulated and ui.simulator_panel and devices is not None
                    and not self.locked)

    # -- building ----------------------------------------------------------------------------
    def build(self):
        register_font(self.kiosk_config.path(self.kiosk_config.ui.font))
        from . import router
        from .root import KioskRoot
        router.load_kv()
        from kivy.core.window import Window
        self.theme.fit_window(*Window.size)
        Window.bind(size=lambda _w, size: self.theme.fit_window(*size))
        # the background is the window's clear colour: a full-window rectangle on top of the
        # clear would be one more full-screen fill each frame
        Window.clearcolor = self.theme.background
        self.theme.bind(background=lambda _t, colour: setattr(Window, "clearcolor", colour))
        Window.bind(on_key_down=self._on_key_down)
        if self.locked:
            self.lockdown.attach(Window)
        root = KioskRoot(page_size=max(self.kiosk_config.ui.page_size,
                                       self.kiosk_config.ui.elderly_page_size))
        root.bind(on_action=lambda _w, action, args: self.send(action, **args))
        root.show_simulator_handle(self.simulator_enabled)
        self.bind(simulator_enabled=lambda _a, on: root.show_simulator_handle(on))
        return root

    def attach(self) -> None:
        """Start rendering the session's states (after `build`)."""
        if self._unsubscribe is None:
            self._unsubscribe = self.session.subscribe(self.on_session_state)
        if self._unsubscribe_voice is None:
            self._unsubscribe_voice = self.session.subscribe(self.voice.on_state)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._unsubscribe_voice is not None:
            self._unsubscribe_voice()
            self._unsubscribe_voice = None

    def use(self, session: Any, devices: Any = None, technician: Any = None) -> None:
        """Render another session (a fresh core in tests and benchmarks; one window a process)."""
        self.detach()
        self.session, self.devices, self.technician = session, devices, technician
        self.simulator_enabled = self._simulator_allowed(devices)
        with self._pending_lock:
            self._pending = None
        self.attach()

    def on_start(self):
        self.attach()
        self.voice.start()
        Clock.schedule_once(lambda _dt: self.prepare(), 0.5)

    def prepare(self) -> None:
        """What is done while the first attract screen waits, so no customer waits for it:
        every screen built with its text drawn (one a frame), the pinyin table loaded (its
        thread would otherwise compete with the screens that follow name entry), every
        language's catalog read, and then garbage collection moved to quiet times."""
        from .widgets import pinyin_input
        pinyin_input.warm_up()
        for language in LANGUAGES:   # parsed now, not while a customer waits on a switch
            translations(language)
        self.root.bind(prebuilt=lambda *_: self.collector.start())
        self.root.prebuild()

    def on_stop(self):
        self.supervision.stop()
        self.detach()
        self.voice.stop()
        self.collector.stop()

    def use_clock(self, now: Callable[[], float]) -> None:
        """The clock on-screen countdowns read (the session's own clock in tests)."""
        KioskScreen.now = staticmethod(now)

    # -- session -> UI -------------------------------------------------------------------------
    def on_session_state(self, state: State) -> None:
        """Called by the session on any thread: render the newest state on the UI thread."""
        with self._pending_lock:
            self._pending = state
        self._apply_trigger()

    def _apply_pending(self, *_):
        with self._pending_lock:
            state, self._pending = self._pending, None
        if state is not None:
            self.show(state)

    def show(self, state: State) -> None:
        """Render one state now (UI thread)."""
        self.current_state = state
        self.language = state.language
        if self.theme.elderly != state.elderly:
            self.theme.elderly = state.elderly
        self.elderly = state.elderly
        self.voice_on = self.voice.speaking_for(state)
        self.root.show(state)
        self.rendered += 1
        if state.step == Step.ATTRACT:
            self.collector.quiet()
            self.supervision.attract_shown()
        else:
            self.collector.busy()

    # -- UI -> session -------------------------------------------------------------------------
    def send(self, action: str, **args: Any) -> None:
        state = self.current_state
        if state is not None and not state.accepts(action):
            log.debug("action %s not accepted in %s", action, state.step)
            return
        try:
            self.session.send(action, **args)
        except Exception:
            log.exception("session refused action %s", action)

    # -- simulator panel ---------------------------------------------------------------------
    def _on_key_down(self, _window, key, _scancode, _codepoint, _modifiers):
        if key == 293:  # F12
            self.open_simulator()
            return True
        return self.accessible_keys.press(self.current_state, key, _codepoint)

    def open_settings(self, *args: Any) -> bool:
        """Kivy's settings panel (F1): never in the production profile."""
        return False if self.locked else super().open_settings(*args)

    def open_simulator(self):
        if not self.simulator_enabled or self.locked:
            return None
        from .simulator_panel import SimulatorPanel
        panel = SimulatorPanel(devices=self.devices)
        panel.open()
        return panel


def run_app(config: KioskConfig, session: Any, devices: Any = None,
            technician: Any = None) -> None:
    """Open the window and run the touchscreen app until it is closed."""
    configure_kivy(config.ui, locked=config.kiosk.profile == "production")
    app = KioskApp(config, session, devices=devices, technician=technician)
    # systemd stops a service with SIGTERM: close the window the normal way (STOPPING=1, devices
    # released by the caller) instead of dying mid-frame
    signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda _dt: app.stop()))
    app.run()
