"""Opens the configured devices off the UI thread, watches them and publishes their events.

One supervisor thread per device: start its emulator when the configuration says so, open the
driver, poll it between jobs, and on a transport failure mark it `noDevice` and reconnect with
exponential back-off. Nothing here blocks the caller: `start()` returns at once, so a missing
device never delays the kiosk's start.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from drivers import registry
from drivers.base import Device, StatusChanged
from drivers.errors import DeviceError
from drivers.status import DeviceState

from .config import KioskConfig
from .events import EventBus

log = logging.getLogger(__name__)


class DeviceManager:
    def __init__(self, config: KioskConfig, bus: EventBus, *, emulate: bool = True):
        self.config = config
        self.bus = bus
        self.emulate = emulate
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._devices: dict[str, Device] = {}
        self._emulators: dict[str, Any] = {}
        self._placeholder: dict[str, dict[str, str]] = {}
        self._threads: list[threading.Thread] = []
        self._ready: dict[str, threading.Event] = {}

    # -- public ----------------------------------------------------------------------------
    def enabled_names(self) -> list[str]:
        return [n for n in registry.DEVICE_NAMES if getattr(self.config.devices, n).enabled]

    def start(self) -> None:
        for name in self.enabled_names():
            self._placeholder[name] = {"device": DeviceState.STARTING.value}
            self._ready[name] = threading.Event()
            t = threading.Thread(target=self._supervise, args=(name,), name=f"dev-{name}",
                                 daemon=True)
            self._threads.append(t)
            t.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
        with self._lock:
            devices = list(self._devices.values())
            emulators = list(self._emulators.values())
        for dev in devices:
            dev.close()
        for emu in emulators:
            try:
                emu.stop()
            except Exception:
                log.exception("stopping emulator %s failed", emu)

    def device(self, name: str) -> Device | None:
        with self._lock:
            return self._devices.get(name)

    def emulator(self, name: str) -> Any | None:
        with self._lock:
            return self._emulators.get(name)

    def wait_ready(self, name: str, timeout: float) -> bool:
        """Wait until the device's first open attempt has finished (tests, diagnostics)."""
        ev = self._ready.get(name)
        return bool(ev and ev.wait(timeout))

    def statuses(self) -> dict[str, dict[str, str]]:
        with self._lock:
            out = {n: dict(s) for n, s in self._placeholder.items()}
            for name, dev in self._devices.items():
                out[name] = dev.status()
        return out

    # -- supervisor ------------------------------------------------------------------------
    def _mark(self, name: str, state: DeviceState) -> None:
        """Status of a device whose driver could not even be built."""
        with self._lock:
            if name in self._devices:
                return
            old = self._placeholder.get(name, {}).get("device", DeviceState.UNKNOWN.value)
            if old == state.value:
                return
            self._placeholder[name] = {"device": state.value}
        self.bus.publish(StatusChanged(name, name, "device", old, state.value))

    def _section(self, name: str) -> Any:
        return getattr(self.config.devices, name)

    def _start_emulator(self, name: str) -> None:
        section = self._section(name)
        emu = registry.emulator_class(name).from_config(section, self.config)
        emu.start()
        with self._lock:
            self._emulators[name] = emu
        overrides = emu.endpoint()
        if overrides:
            self.config = self.config.with_device(name, **overrides)

    def _build(self, name: str) -> Device:
        cls = registry.driver_class(name)
        dev: Device = cls.from_config(name, self._section(name), self.config)
        dev.subscribe(self.bus.publish)
        return dev

    def _supervise(self, name: str) -> None:
        backoff = self.config.devices.reconnect_min_s
        dev: Device | None = None
        last_problem = ""
        while not self._stop.is_set():
            try:
                if self.emulate and self._section(name).backend == "emulator" \
                        and name not in self._emulators:
                    self._start_emulator(name)
                if dev is None:
                    dev = self._build(name)
                    with self._lock:
                        self._devices[name] = dev
                        self._placeholder.pop(name, None)
                dev.open()
                backoff, last_problem = self.config.devices.reconnect_min_s, ""
                self._ready[name].set()
                self._watch(name, dev)
            except DeviceError as exc:
                # once per distinct problem; the retries of the same one are debug noise
                level = logging.DEBUG if str(exc) == last_problem else logging.WARNING
                last_problem = str(exc)
                log.log(level, "%s unavailable, retrying in %.1f s: %s", name, backoff, exc)
            except Exception as exc:  # a broken backend must not kill the supervisor
                log.exception("%s failed to start: %s", name, exc)
                if dev is None:
                    self._mark(name, DeviceState.NO_DEVICE)
            self._ready[name].set()
            if self._stop.is_set():
                break
            if dev is not None:
                dev.close(DeviceState.NO_DEVICE)
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, self.config.devices.reconnect_max_s)

    def _watch(self, name: str, dev: Device) -> None:
        """Poll an open device until it fails or the manager stops."""
        interval = getattr(dev, "poll_interval", 1.0)
        while not self._stop.wait(interval):
            dev.poll()  # raises DeviceError when the device is gone
