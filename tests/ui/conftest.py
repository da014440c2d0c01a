"""UI fixtures: one offscreen Kivy window for the whole process (Kivy allows one), the kiosk
app built once, and per test a fresh core (emulated devices, sandbox bank, temp folder, a
hand-moved clock) that the app renders. Widgets are touched through Kivy's own input path."""
from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from kiosk.config import load_config
from kiosk.i18n import translate
from kiosk.session.clock import ManualClock
from kiosk.session.states import Step
from tests.harness import media_is, start_core, threads_left, write_core_config


# What the app plays goes to a file (SDL's disk audio driver), where the voice tests hear it;
# set before Kivy opens the audio device, once for the process.
SDL_AUDIO_FILE = Path(tempfile.gettempdir()) / f"kiosk-ui-audio-{os.getpid()}.raw"
os.environ.setdefault("SDL_AUDIODRIVER", "disk")
os.environ.setdefault("SDL_DISKAUDIOFILE", str(SDL_AUDIO_FILE))

# the demo configuration's technician: the "technician" test card or a long press, PIN 135790
DEMO_TECHNICIAN = load_config().technician
TECHNICIAN_PIN = "135790"


def write_config(folder: Path, *, chipcard: bool, camera: bool = False) -> Path:
    """A Chinese UI on every emulator but the scanner, the chip card on vpcd slot 01, and the
    demo's technician."""
    tech = DEMO_TECHNICIAN
    cards = ", ".join(f'"{c}"' for c in tech.cards)
    technician = (f'[technician]\ncards = [{cards}]\ncard_key = "{tech.card_key}"\n'
                  f'pin_hash = "{tech.pin_hash}"\nidle_timeout_s = 60\n')
    return write_core_config(folder, chipcard=chipcard, camera=camera, language="zh_CN",
                             kiosk_id="KSK-UI-01", more_time_s=10, slot=1, sections=technician)


@pytest.fixture(scope="session")
def ui_app(tmp_path_factory) -> Iterator[Any]:
    """The kiosk app on the process's single offscreen window."""
    from screens.app import KioskApp, configure_kivy
    config = load_config(write_config(tmp_path_factory.mktemp("ui-app"), chipcard=False))
    configure_kivy(config.ui)
    from kivy.core.window import Window
    app = KioskApp(config, session=None)
    app.root = app.build()
    Window.size = (config.ui.width, config.ui.height)
    Window.add_widget(app.root)
    yield app
    app.detach()
    Window.remove_widget(app.root)
    SDL_AUDIO_FILE.unlink(missing_ok=True)


class UiKiosk:
    """A core on emulated devices rendered by the app; touches go through Kivy's input path."""

    def __init__(self, app: Any, folder: Path, *, chipcard: bool, camera: bool = False):
        self.app = app
        self.config = load_config(write_config(folder, chipcard=chipcard, camera=camera))
        self.clock = ManualClock()
        self.core = start_core(self.config, self.clock)
        self.session = self.core.session
        try:
            self._ready(chipcard)
        except BaseException:
            self.stop()
            raise

    def _ready(self, chipcard: bool) -> None:
        self.app.kiosk_config = self.config
        self.app.use(self.session, self.core.devices, self.core.technician)
        self.app.use_clock(self.clock)
        if chipcard:
            # pcscd may still report the last test's card: once it has seen it go, the
            # session that card started is over and its goodbye can time out
            self.wait_media("chipcard", "notPresent")
            if self.session.state.step != Step.ATTRACT:
                self.wait(lambda: self.session.state.step == Step.GOODBYE, "goodbye")
                self.advance(6)
        self.wait_step(Step.ATTRACT)

    # -- the loop ------------------------------------------------------------------------------
    def pump(self, frames: int = 1) -> None:
        from kivy.base import EventLoop
        for _ in range(frames):
            EventLoop.idle()

    def wait(self, predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            if predicate():
                return
            if time.monotonic() > deadline:
                state = self.app.current_state
                raise AssertionError(f"timed out waiting for {what}; showing "
                                     f"{state.step if state else None} {state}")
            time.sleep(0.005)

    def wait_step(self, step: Step, timeout: float = 10.0) -> Any:
        """Until the window shows `step` (rendered), then its screen."""
        self.wait(lambda: self.app.current_state is not None
                  and self.app.current_state.step == step
                  and self.session.state.step == step
                  and self.app.root.manager.current == step.value, f"step {step}", timeout)
        self.pump(2)
        return self.app.root.screen(step)

    # -- reading the screen --------------------------------------------------------------------
    def tr(self, msgid: str, **values: Any) -> str:
        text = translate(self.app.language, msgid)
        return text.format(**values) if values else text

    def widgets(self) -> list[Any]:
        """Every widget of the app now in the window (header, current screen, open panels)."""
        from kivy.core.window import Window
        from kivy.uix.modalview import ModalView
        found = list(self.app.root.walk())
        for child in Window.children:
            if isinstance(child, ModalView):
                found.extend(child.walk())
        return found

    def visible_texts(self) -> list[str]:
        out = []
        for w in self.widgets():
            text = getattr(w, "text", "")
            if isinstance(text, str) and text.strip() and self._shown(w):
                out.append(text)
        return out

    @staticmethod
    def _shown(widget: Any) -> bool:
        w = widget
        while w is not None and w is not w.parent:
            if getattr(w, "opacity", 1) == 0:
                return False
            w = w.parent
        return True

    def find(self, text: str) -> Any:
        """The visible, enabled touch target showing exactly `text` (markup removed)."""
        from kivy.uix.behaviors import ButtonBehavior
        hits = [w for w in self.widgets() if isinstance(w, ButtonBehavior)
                and isinstance(getattr(w, "text", None), str)
                and _plain(w.text).split("\n")[0] == text and self._shown(w) and not w.disabled]
        assert hits, f"no button {text!r} on screen; visible: {self.visible_texts()}"
        return hits[-1]

    # -- touching ------------------------------------------------------------------------------
    def tap(self, target: Any) -> None:
        from kivy.tests.common import UnitTestTouch
        widget = self.find(target) if isinstance(target, str) else target
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.pump()

    def tap_msg(self, msgid: str, **values: Any) -> None:
        self.tap(self.tr(msgid, **values))

    def type_digits(self, keypad: Any, digits: str) -> None:
        for digit in digits:
            self.tap(keypad.key_widget(digit))

    def sign_in(self, profile: str = "unionpay_debit", pin: str = "123456") -> None:
        """A bank card into the reader on the attract screen, then its PIN."""
        self.wait_step(Step.ATTRACT)
        self.emulator("chipcard").perform("insert_card", profile)
        self.enter_pin(pin)

    def sign_in_for(self, service: str, profile: str = "unionpay_debit") -> None:
        """Card and PIN, then the service of that message id from the menu."""
        self.sign_in(profile)
        self.wait_step(Step.MENU)
        self.tap_msg(service)

    def type_name(self, screen: Any, syllables_and_characters: list[tuple[str, str]]) -> None:
        """Type each syllable's pinyin on the letter keyboard, then touch its character."""
        for pinyin, character in syllables_and_characters:
            for letter in pinyin.upper():
                self.tap(letter)
            self.wait(lambda: character in screen.candidates, f"candidate {character}")
            self.pump(2)
            self.tap(character)

    def enter_pin(self, pin: str) -> None:
        screen = self.wait_step(Step.PIN)
        self.type_digits(screen.ids.keypad, pin)
        self.wait(lambda: self.session.state.view.get("entered") == len(pin), "PIN digits")
        self.pump(2)
        self.tap(screen.ids.ok)

    # -- devices -------------------------------------------------------------------------------
    def emulator(self, name: str) -> Any:
        return self.core.devices.emulator(name)

    def wait_media(self, device: str, value: str, timeout: float = 5.0) -> None:
        self.wait(media_is(self.core, device, value), f"{device} media {value}", timeout)

    def advance(self, seconds: float) -> None:
        """Move the session's clock; its ticker fires the timers that are due."""
        self.clock.advance(seconds)
        time.sleep(0.12)  # two ticks of the core's ticker
        self.pump()

    def stop(self) -> None:
        self.app.detach()
        self.app.technician = None   # the desk of a stopped core must not be read again
        self.core.stop()


def _plain(text: str) -> str:
    import re
    return re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", text)


@pytest.fixture
def ui(ui_app, tmp_path) -> Iterator[UiKiosk]:
    """The app on a core with the ID card reader and printer emulators (no chip card)."""
    kiosk = UiKiosk(ui_app, tmp_path, chipcard=False)
    yield kiosk
    kiosk.stop()


@pytest.fixture
def card_ui(ui_app, tmp_path, pcscd) -> Iterator[UiKiosk]:
    """The app on a core with the chip card emulator as well (vpcd slot 01: slot 00 is for
    a kiosk someone runs by hand; pcscd tests run one at a time)."""
    kiosk = UiKiosk(ui_app, tmp_path, chipcard=True)
    yield kiosk
    kiosk.emulator("chipcard").perform("remove_card")
    kiosk.stop()


@pytest.fixture(autouse=True)
def no_leftover_threads():
    """Devices, emulators and workers a test starts are gone when it ends."""
    before = {t.ident for t in threading.enumerate()}
    yield
    left = threads_left(("dev-", "session", "vpcd"), before)
    if left:
        pytest.fail(f"threads left running: {left}")
