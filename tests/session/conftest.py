"""Session fixtures: the whole core (KioskCore) on emulated devices and the sandbox bank, in a
temp folder, with a hand-moved clock for the session's timers."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from kiosk.config import load_config
from kiosk.resources import FONT
from kiosk.core import KioskCore
from kiosk.session.clock import ManualClock
from kiosk.session.states import State, Step


CONFIG = """
[kiosk]
data_dir = "var"
[ui]
language = "en"
idle_timeout_s = 30
font = "{font}"
[devices.chipcard]
enabled = {chipcard}
reader = "Virtual PCD 00 00"
[devices.chipcard.emulator]
profile = "unionpay_debit"
latency_ms = 0
[devices.idcard]
enabled = {idcard}
port = "var/run/idcard.pty"
baud = 115200
poll_interval_s = 0.05
[devices.idcard.emulator]
pace = false
[devices.printer]
enabled = {printer}
port = "var/run/printer.pty"
poll_interval_s = 0.2
[devices.printer.emulator]
output_dir = "var/receipts"
pace = false
[devices.camera]
enabled = false
[devices.scanner]
enabled = {scanner}
port = "var/run/scanner.pty"
[host]
{host}
"""


def write_config(folder: Path, *, chipcard: bool = False, idcard: bool = True,
                 printer: bool = True, scanner: bool = False, host: str = "") -> Path:
    path = folder / "kiosk.toml"
    flag = {True: "true", False: "false"}
    path.write_text(CONFIG.format(font=FONT, chipcard=flag[chipcard], idcard=flag[idcard],
                                  printer=flag[printer], scanner=flag[scanner], host=host),
                    encoding="utf-8")
    return path


class Recorder:
    """Every state the session published, and a way to wait for one."""

    def __init__(self) -> None:
        self.states: list[State] = []
        self._cond = threading.Condition()

    def __call__(self, state: State) -> None:
        with self._cond:
            self.states.append(state)
            self._cond.notify_all()

    def wait(self, predicate: Callable[[State], bool], timeout: float = 10.0) -> State:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if self.states and predicate(self.states[-1]):
                    return self.states[-1]
                left = deadline - time.monotonic()
                if left <= 0:
                    last = self.states[-1] if self.states else None
                    raise AssertionError(f"timed out waiting; last state {last}")
                self._cond.wait(left)

    def step(self, step: Step, timeout: float = 10.0) -> State:
        return self.wait(lambda s: s.step == step, timeout)

    def steps(self) -> list[Step]:
        out: list[Step] = []
        for s in self.states:
            if not out or out[-1] != s.step:
                out.append(s.step)
        return out


class Harness:
    """The core on emulated devices, its clock, and what the session showed."""

    def __init__(self, folder: Path, **devices: Any):
        self.config = load_config(write_config(folder, **devices))
        self.clock = ManualClock()
        self.core = KioskCore(self.config, now=self.clock, tick_s=0.05)
        self.session = self.core.session
        self.recorder = Recorder()
        self.session.subscribe(self.recorder)
        self.core.start()
        for name in self.core.devices.enabled_names():
            assert self.core.devices.wait_ready(name, 15), f"{name} did not start"
        deadline = time.monotonic() + 10
        while self.core.transfers is not None and not self.core.transfers.ready:
            assert time.monotonic() < deadline, "transfer recovery did not finish"
            time.sleep(0.02)

    def emulator(self, name: str) -> Any:
        return self.core.devices.emulator(name)

    def send(self, action: str, **args: Any) -> None:
        assert self.session.send(action, **args), \
            f"{action} refused in {self.session.state.step}"

    def step(self, step: Step, timeout: float = 10.0) -> State:
        return self.recorder.step(step, timeout)

    def wait_media(self, device: str, value: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self.core.devices.statuses().get(device, {}).get("media") != value:
            assert time.monotonic() < deadline, f"{device} media never became {value}"
            time.sleep(0.02)

    def enter_pin(self, pin: str) -> None:
        """Touch the digits where the shuffled keypad shows them, then OK."""
        keys = self.step(Step.PIN).view["keys"]
        for digit in pin:
            self.send("digit", key=keys.index(int(digit)))
        assert self.session.state.view["masked"] == "●" * len(pin)
        self.send("ok")

    def insert_card(self, profile: str) -> None:
        self.emulator("chipcard").perform("insert_card", profile)
        self.wait_media("chipcard", "present")

    def remove_card(self) -> None:
        if self.emulator("chipcard") is not None:
            self.emulator("chipcard").perform("remove_card")

    def journal(self, kind: str) -> list[Any]:
        self.session.wait_idle()
        return list(self.core.journal.entries(kind=kind))

    def stop(self) -> None:
        self.core.stop()
        deadline = time.monotonic() + 3
        while True:
            left = [t.name for t in threading.enumerate()
                    if t.name.startswith(("session", "dev-", "transfer-recovery"))]
            if not left:
                return
            assert time.monotonic() < deadline, f"threads left running: {left}"
            time.sleep(0.02)


@pytest.fixture
def kiosk(tmp_path: Path):
    """Core with the ID card reader and printer emulators (no chip card)."""
    harness = Harness(tmp_path)
    yield harness
    harness.stop()


@pytest.fixture
def card_kiosk(tmp_path: Path, pcscd):
    """Core with the chip card (vpcd slot 00), ID card and printer emulators."""
    harness = card_harness(tmp_path)
    yield harness
    harness.remove_card()
    harness.stop()


@pytest.fixture
def harness_factory(tmp_path: Path):
    """Build a core with other settings (e.g. the ISO 8583 host) inside a test."""
    made: list[Harness] = []

    def make(**options: Any) -> Harness:
        if options.get("chipcard"):
            from drivers.chipcard.pcscd import ensure_pcscd
            ensure_pcscd()
            harness = card_harness(tmp_path, **options)
        else:
            harness = Harness(tmp_path, **options)
        made.append(harness)
        return harness
    yield make
    for harness in made:
        harness.remove_card()
        harness.stop()


def card_harness(folder: Path, **options: Any) -> Harness:
    options["chipcard"] = True
    harness = Harness(folder, **options)
    # pcscd may still report the last test's card for a moment: wait until it has gone, and
    # let the session return to the attract screen if it saw that card come and go.
    harness.wait_media("chipcard", "notPresent")
    deadline = time.monotonic() + 10
    while harness.session.state.step != Step.ATTRACT:
        assert time.monotonic() < deadline, harness.session.state
        harness.session.wait_idle()
        harness.clock.advance(10)
        time.sleep(0.1)
    return harness
