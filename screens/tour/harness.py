"""A kiosk driven the way a customer drives it: a core on emulated devices (chip card through
pcscd + vpcd, ID card reader and printer on pseudo-terminals, the camera from a clip), the
sandbox bank, a hand-moved clock, rendered by the app on the process's one Kivy window, and
touched through Kivy's own input path. The tour's journeys and the end-to-end UI tests both
drive it."""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any, Callable

from kiosk.config import KioskConfig, load_config
from kiosk.i18n import translate
from kiosk.resources import FONT
from kiosk.session.clock import ManualClock
from kiosk.session.states import Step

CONFIG = """
[kiosk]
id = "{kiosk_id}"
data_dir = "var"
[ui]
language = "{language}"
idle_timeout_s = 30
more_time_s = {more_time_s}
font = "{font}"
[devices.chipcard]
enabled = {chipcard}
reader = "Virtual PCD 00 {slot:02d}"
[devices.chipcard.emulator]
profile = "unionpay_debit"
latency_ms = 0
vpcd_port = {vpcd_port}
[devices.idcard]
enabled = {idcard}
port = "var/run/idcard.pty"
baud = 115200
poll_interval_s = 0.05
[devices.idcard.emulator]
pace = {idcard_pace}
[devices.printer]
enabled = {printer}
port = "var/run/printer.pty"
poll_interval_s = 0.2
[devices.printer.emulator]
output_dir = "var/receipts"
pace = {printer_pace}
paper_lines = {paper_lines}
[devices.camera]
enabled = {camera}
[devices.scanner]
enabled = {scanner}
port = "var/run/scanner.pty"
"""
TECHNICIAN = """
[technician]
cards = {cards}
card_key = "{card_key}"
pin_hash = "{pin_hash}"
idle_timeout_s = 60
"""
# the demo configuration's technician: the "technician" test card or a long press, PIN 135790
TECHNICIAN_PIN = "135790"
VPCD_BASE_PORT = 35963   # vpcd slot n listens on this port + n


def emulated_kiosk_toml(*, chipcard: bool, idcard: bool = True, printer: bool = True,
                        camera: bool = False, scanner: bool = False, idcard_pace: bool = False,
                        printer_pace: bool = False, paper_lines: int = 2000,
                        language: str = "zh_CN", kiosk_id: str = "KSK-UI-01",
                        more_time_s: float = 10, slot: int = 1) -> str:
    """The kiosk.toml text of a kiosk on emulated devices, its data in ./var: the chip card on
    vpcd `slot`, the ID card reader and the printer paced at their baud rate or not (a customer
    sees a read or a print under way only when it takes time), a roll of `paper_lines` lines.
    The tour's kiosk and the tests' cores (tests/harness.py) are both written from it."""
    flag = {True: "true", False: "false"}
    return CONFIG.format(
        font=FONT, kiosk_id=kiosk_id, language=language, more_time_s=more_time_s, slot=slot,
        vpcd_port=VPCD_BASE_PORT + slot, chipcard=flag[chipcard], idcard=flag[idcard],
        printer=flag[printer], camera=flag[camera], scanner=flag[scanner],
        idcard_pace=flag[idcard_pace], printer_pace=flag[printer_pace], paper_lines=paper_lines)


def write_config(folder: Path, *, chipcard: bool, camera: bool = False,
                 idcard_pace: bool = False, printer_pace: bool = False,
                 paper_lines: int = 2000, host: str = "") -> Path:
    """A kiosk.toml in `folder` for a driven kiosk (its data in folder/var), with the demo
    configuration's technician, and `host` the lines of its [host] section (the sandbox bank
    in folder/var when empty)."""
    path = folder / "kiosk.toml"
    tech = load_config().technician
    path.write_text(emulated_kiosk_toml(chipcard=chipcard, camera=camera,
                                        idcard_pace=idcard_pace, printer_pace=printer_pace,
                                        paper_lines=paper_lines)
                    + TECHNICIAN.format(cards="[" + ", ".join(f'"{c}"' for c in tech.cards)
                                        + "]", card_key=tech.card_key, pin_hash=tech.pin_hash)
                    + (f"[host]\n{host}\n" if host else ""),
                    encoding="utf-8")
    return path


def open_app(config: KioskConfig) -> Any:
    """The kiosk app built on the process's single window (Kivy allows one), with no session
    yet: a DrivenKiosk hands it one."""
    from screens.app import KioskApp, configure_kivy
    configure_kivy(config.ui)
    from kivy.core.window import Window
    app = KioskApp(config, session=None)
    app.root = app.build()
    Window.size = (config.ui.width, config.ui.height)
    Window.add_widget(app.root)
    return app


def close_app(app: Any) -> None:
    from kivy.core.window import Window
    app.detach()
    Window.remove_widget(app.root)


def shown(widget: Any) -> bool:
    """No widget from `widget` up to the window is transparent."""
    w = widget
    while w is not None and w is not w.parent:
        if getattr(w, "opacity", 1) == 0:
            return False
        w = w.parent
    return True


def plain(text: str) -> str:
    """Label text with Kivy markup removed."""
    return re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", text)


class DrivenKiosk:
    """A core on emulated devices rendered by the app; touches go through Kivy's input path."""

    def __init__(self, app: Any, folder: Path, *, chipcard: bool, camera: bool = False,
                 **options: Any):
        from kiosk.core import KioskCore
        self.app = app
        self.config = load_config(write_config(folder, chipcard=chipcard, camera=camera,
                                               **options))
        self.clock = ManualClock()
        self.core = KioskCore(self.config, now=self.clock, tick_s=0.05)
        self.session = self.core.session
        self.core.start()
        try:
            self._ready(chipcard)
        except BaseException:
            self.stop()
            raise

    def _ready(self, chipcard: bool) -> None:
        for name in self.core.devices.enabled_names():
            assert self.core.devices.wait_ready(name, 15), f"{name} did not start"
        deadline = time.monotonic() + 10
        while self.core.transfers is not None and not self.core.transfers.ready:
            assert time.monotonic() < deadline, "transfer recovery did not finish"
            time.sleep(0.02)
        self.app.kiosk_config = self.config
        self.app.use(self.session, self.core.devices, self.core.technician)
        self.app.use_clock(self.clock)
        if chipcard:
            # pcscd may still report the last kiosk's card: once it has seen it go, the
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
            if isinstance(text, str) and text.strip() and shown(w):
                out.append(text)
        return out

    _shown = staticmethod(shown)

    def find(self, text: str) -> Any:
        """The visible, enabled touch target showing exactly `text` (markup removed)."""
        from kivy.uix.behaviors import ButtonBehavior
        hits = [w for w in self.widgets() if isinstance(w, ButtonBehavior)
                and isinstance(getattr(w, "text", None), str)
                and plain(w.text).split("\n")[0] == text and shown(w) and not w.disabled]
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

    def tap_choice(self, key: str) -> None:
        """A key of the accessible mode's numbered button area: "1" .. "9", "repeat", "back"
        or "finish"."""
        pad = self.app.root.choice_pad
        assert pad.parent is not None, "the numbered buttons are not on screen"
        button = pad.ids[f"key_{key}" if key.isdigit() else key]
        self.tap(button)
        # the pad stays on screen: a picture taken within Kivy's min_state_time shows it pressed
        self.wait(lambda: button.state == "normal", f"numbered button {key} released")

    def choose(self, label_msgid: str) -> None:
        """The choice shown as `label_msgid`, touched by its number on the numbered buttons."""
        from kiosk.voice.choices import choices
        labels = [c.label for c in choices(self.session.state)]
        assert label_msgid in labels, f"no choice {label_msgid!r} among {labels}"
        self.tap_choice(str(labels.index(label_msgid) + 1))

    def hidden_corner(self) -> tuple[float, float]:
        """A point in the top-left corner a technician holds to sign in."""
        root = self.app.root
        return root.x + 4, root.top - 4

    def long_press(self, xy: tuple[float, float], seconds: float) -> None:
        """A finger held at window position `xy` while the session's clock moves `seconds`."""
        from kivy.tests.common import UnitTestTouch
        touch = UnitTestTouch(*xy)
        touch.touch_down()
        self.pump()
        self.clock.advance(seconds)
        touch.touch_up()
        self.pump()

    def type_digits(self, keypad: Any, digits: str) -> None:
        keys = [keypad.key_widget(digit) for digit in digits]
        for key in keys:
            self.tap(key)
        # a key stays pressed for Kivy's min_state_time: a picture taken now would show which
        self.wait(lambda: all(key.state == "normal" for key in keys), "keys released")

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

    def begin(self, service: str) -> Any:
        """Start on the attract screen, then the service of that message id from the menu: the
        identify screen it asks for."""
        self.tap_msg("Start")
        self.wait_step(Step.MENU)
        self.tap_msg(service)
        return self.wait_step(Step.IDENTIFY)

    def to_amount(self, payee: str, name: list[tuple[str, str]]) -> Any:
        """Card, PIN and a transfer to a new payee (its number on the keypad, its name typed as
        pinyin syllables and characters), the bank's name check confirmed: the amount screen."""
        from screens.widgets import pinyin_input
        pinyin_input.table()
        self.sign_in_for("service_transfer")
        entry = self.wait_step(Step.PAYEE_ENTRY)
        self.type_digits(entry.ids.keypad, payee)
        self.tap(entry.ids.name_field)
        self.type_name(entry, name)
        self.tap(entry.ids.submit)
        self.tap(self.wait_step(Step.PAYEE_CHECK).ids.confirm)
        return self.wait_step(Step.AMOUNT)

    def type_name(self, screen: Any, syllables_and_characters: list[tuple[str, str]]) -> None:
        """Type each syllable's pinyin on the letter keyboard, then touch its character."""
        for pinyin, character in syllables_and_characters:
            for letter in pinyin.upper():
                self.tap(letter)
            self.wait(lambda: character in screen.candidates, f"candidate {character}")
            self.pump(2)
            self.tap(character)

    def type_pin(self, pin: str) -> Any:
        """The PIN's digits on the PIN screen's keypad (not yet confirmed); the screen."""
        screen = self.wait_step(Step.PIN)
        entered = self.session.state.view.get("entered", 0) + len(pin)
        self.type_digits(screen.ids.keypad, pin)
        self.wait(lambda: self.session.state.view.get("entered") == entered, "PIN digits")
        self.pump(2)
        return screen

    def enter_pin(self, pin: str) -> None:
        self.tap(self.type_pin(pin).ids.ok)

    # -- devices -------------------------------------------------------------------------------
    def emulator(self, name: str) -> Any:
        return self.core.devices.emulator(name)

    def wait_media(self, device: str, value: str, timeout: float = 5.0) -> None:
        self.wait(lambda: self.core.devices.statuses().get(device, {}).get("media") == value,
                  f"{device} media {value}", timeout)

    def advance(self, seconds: float) -> None:
        """Move the session's clock; its ticker fires the timers that are due."""
        self.clock.advance(seconds)
        time.sleep(0.12)  # two ticks of the core's ticker
        self.pump()

    def stop(self) -> None:
        self.app.detach()
        self.app.technician = None   # the desk of a stopped core must not be read again
        self.core.stop()
