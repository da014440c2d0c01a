"""Session fixtures: the whole core (KioskCore) on emulated devices and the sandbox bank, in a
temp folder, with a hand-moved clock for the session's timers."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from kiosk.config import load_config
from kiosk.session.clock import ManualClock
from kiosk.session.states import State, Step
from tests.harness import (StateRecorder, media_is, start_core, threads_left, wait_for,
                           write_core_config)


def write_config(folder: Path, *, chipcard: bool = False, idcard: bool = True,
                 printer: bool = True, scanner: bool = False, host: str = "") -> Path:
    return write_core_config(folder, chipcard=chipcard, idcard=idcard, printer=printer,
                             scanner=scanner, sections=f"[host]\n{host}\n")


class Harness:
    """The core on emulated devices, its clock, and what the session showed."""

    def __init__(self, folder: Path, **devices: Any):
        self.config = load_config(write_config(folder, **devices))
        self.clock = ManualClock()
        self.recorder = StateRecorder()
        self.core = start_core(self.config, self.clock, subscriber=self.recorder)
        self.session = self.core.session

    def emulator(self, name: str) -> Any:
        return self.core.devices.emulator(name)

    def send(self, action: str, **args: Any) -> None:
        assert self.session.send(action, **args), \
            f"{action} refused in {self.session.state.step}"

    def step(self, step: Step, timeout: float = 10.0) -> State:
        return self.recorder.step(step, timeout)

    def wait_media(self, device: str, value: str, timeout: float = 5.0) -> None:
        assert wait_for(media_is(self.core, device, value), timeout, 0.02), \
            f"{device} media never became {value}"

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
        left = threads_left(("session", "dev-", "transfer-recovery"))
        assert not left, f"threads left running: {left}"


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
