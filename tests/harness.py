"""The test harness every folder shares: waiting for a condition, recording what a session or an
event bus published, a whole core on emulated devices in a temp folder, threads that must be
gone, and the invented PINs of the sandbox bank's cards.

Journeys (which buttons a customer touches) belong to the tests that walk them; this module
only holds what any test needs to start, watch and stop the kiosk.
"""
from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest


# -- hearing ----------------------------------------------------------------------------------
class Ear:
    """Reads what SDL's disk audio driver (SDL_AUDIODRIVER=disk, SDL_DISKAUDIOFILE) has
    written since the last look: what would have reached the loudspeaker."""

    def __init__(self) -> None:
        import os
        self.path = Path(os.environ["SDL_DISKAUDIOFILE"])
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def loudest(self) -> int:
        import array
        data = self.path.read_bytes()[self.offset:] if self.path.exists() else b""
        self.offset += len(data)
        samples = array.array("h", data[: len(data) // 2 * 2])
        return max((abs(s) for s in samples), default=0)


# -- waiting ----------------------------------------------------------------------------------
def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, step: float = 0.01) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds pass; return whether it became true."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


def wait_until(predicate: Callable[[], Any], timeout: float = 3.0, step: float = 0.01) -> float:
    """Seconds it took for predicate() to become true; fails the test after `timeout`."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(step)
    return time.monotonic() - start


def threads_left(prefixes: tuple[str, ...], before: Iterable[int] = (),
                 timeout: float = 3.0) -> list[str]:
    """Names of the threads starting with `prefixes` (and not among the idents `before`) that
    are still running after `timeout` seconds; empty once they have all gone."""
    known = set(before)
    deadline = time.monotonic() + timeout
    while True:
        left = [t.name for t in threading.enumerate()
                if t.ident not in known and t.name.startswith(prefixes)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


# -- recording --------------------------------------------------------------------------------
class StateRecorder:
    """Every state a session published, and a way to wait for one."""

    def __init__(self) -> None:
        self.states: list[Any] = []
        self._cond = threading.Condition()

    def __call__(self, state: Any) -> None:
        with self._cond:
            self.states.append(state)
            self._cond.notify_all()

    def wait(self, predicate: Callable[[Any], bool], timeout: float = 10.0) -> Any:
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

    def step(self, step: Any, timeout: float = 10.0) -> Any:
        return self.wait(lambda s: s.step == step, timeout)

    def steps(self) -> list[Any]:
        out: list[Any] = []
        for s in self.states:
            if not out or out[-1] != s.step:
                out.append(s.step)
        return out


class EventRecorder:
    """Collects device events (thread-safe) as a listener or bus subscriber."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[Any] = []

    def __call__(self, event: Any) -> None:
        with self._lock:
            self.events.append(event)

    def named(self, name: str) -> list[Any]:
        """The device events called `name` (e.g. CodeReadEvent), in order."""
        from drivers.base import DeviceEvent
        with self._lock:
            return [e for e in self.events if isinstance(e, DeviceEvent) and e.name == name]

    def changes(self, field: str) -> list[tuple[Any, Any]]:
        """(old, new) of every status change of `field`, in order."""
        from drivers.base import StatusChanged
        with self._lock:
            return [(e.old, e.new) for e in self.events
                    if isinstance(e, StatusChanged) and e.field == field]


# -- a whole core on emulated devices ---------------------------------------------------------
def write_core_config(folder: Path, *, chipcard: bool = False, idcard: bool = True,
                      printer: bool = True, camera: bool = False, scanner: bool = False,
                      language: str = "en", kiosk_id: str = "KSK-0001", more_time_s: float = 20.0,
                      slot: int = 0, sections: str = "") -> Path:
    """kiosk.toml in `folder` for a core on emulated devices (chip card on vpcd `slot`), with
    `sections` (more TOML tables, e.g. [host] or [technician]) appended; the text is the tour's
    (screens/tour/harness.py), with the tests' defaults."""
    from screens.tour.harness import emulated_kiosk_toml
    path = folder / "kiosk.toml"
    path.write_text(emulated_kiosk_toml(
        chipcard=chipcard, idcard=idcard, printer=printer, camera=camera, scanner=scanner,
        language=language, kiosk_id=kiosk_id, more_time_s=more_time_s, slot=slot) + sections,
        encoding="utf-8")
    return path


def start_core(config: Any, clock: Any, *, subscriber: Callable[[Any], None] | None = None,
               tick_s: float = 0.05) -> Any:
    """A KioskCore on `config` and `clock` (its session's states also to `subscriber` from the
    first one on), started, every enabled device ready and the transfer recovery finished;
    stopped again if it cannot get there."""
    from kiosk.core import KioskCore
    core = KioskCore(config, now=clock, tick_s=tick_s)
    if subscriber is not None:
        core.session.subscribe(subscriber)
    core.start()
    try:
        for name in core.devices.enabled_names():
            assert core.devices.wait_ready(name, 15), f"{name} did not start"
        recovered = wait_for(lambda: core.transfers is None or core.transfers.ready, 10, 0.02)
        assert recovered, "transfer recovery did not finish"
    except BaseException:
        core.stop()
        raise
    return core


def media_is(core: Any, device: str, value: str) -> Callable[[], bool]:
    """A predicate: the device's media status (e.g. the chip card) reads `value`."""
    return lambda: core.devices.statuses().get(device, {}).get("media") == value


def demo_config_in(folder: Path, *, enabled: Iterable[str] = ()) -> Any:
    """The built-in demo configuration with every data file in `folder`, only the `enabled`
    devices on, and small risk thresholds (a transfer over 200 yuan is held, three in a row
    are structuring)."""
    from dataclasses import replace

    from kiosk.config import load_config
    base = load_config()
    devices = base.devices
    for name in ("chipcard", "idcard", "printer", "camera", "scanner"):
        if name not in enabled:
            devices = replace(devices, **{name: replace(getattr(devices, name), enabled=False)})
    return replace(
        base, devices=devices, kiosk=replace(base.kiosk, data_dir=str(folder)),
        host=replace(base.host, database=str(folder / "bank.db"),
                     state=str(folder / "host_state.db")),
        journal=replace(base.journal, path=str(folder / "journal.db")),
        alerts=replace(base.alerts, outbox=str(folder / "alerts.db")),
        risk=replace(base.risk, large_transfer_fen=20_000, structuring_count=3))


def seeded_bank(path: Path, config: Any) -> Any:
    """The sandbox bank in a new database at `path`, with its invented customers and cards."""
    from kiosk.host.sandbox import SandboxBank
    bank = SandboxBank(path, terminal_key_hex=config.host.terminal_key_hex)
    bank.seed()
    return bank


# -- the sandbox bank's invented cards --------------------------------------------------------
def pin(text: str) -> bytearray:
    """Invented PIN digits as the keypad hands them to the PIN block: digit values, not a str."""
    return bytearray(int(c) for c in text)


def pin_verified(host: Any, pan: str, key_hex: str, digits: str = "123456") -> str:
    """The host's authorisation reference for a correct PIN of `pan` (a transfer needs it)."""
    from kiosk.pin_block import encrypt_pin_block
    result = host.verify_pin(pan, encrypt_pin_block(pin(digits), pan, key_hex))
    assert result.ok and result.auth_ref, result
    return result.auth_ref


# -- fuzz tests -------------------------------------------------------------------------------
class MemoryBound:
    """For fuzz tests: `with bound.example():` fails if one example's traced allocations peak
    above `limit` bytes (tracemalloc runs for the whole test, all threads included)."""

    def __init__(self, limit: int):
        self.limit = limit

    def example(self) -> contextlib.AbstractContextManager[None]:
        import tracemalloc

        @contextlib.contextmanager
        def measured():
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            yield
            grown = tracemalloc.get_traced_memory()[1] - base
            assert grown < self.limit, f"one input took {grown:,} bytes (bound {self.limit:,})"
        return measured()
