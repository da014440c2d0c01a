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

SERVICE = "service"   # status field of a device a technician took out of service
IN_SERVICE, OUT_OF_SERVICE = "inService", "outOfService"


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
        self._wake: dict[str, threading.Event] = {}   # reopen now (a reset, a re-check)
        self._out_of_service: set[str] = set()
        self._resets: set[str] = set()

    # -- public ----------------------------------------------------------------------------
    def enabled_names(self) -> list[str]:
        return [n for n in registry.DEVICE_NAMES if getattr(self.config.devices, n).enabled]

    def start(self) -> None:
        for name in self.enabled_names():
            self._placeholder[name] = {"device": DeviceState.STARTING.value}
            self._ready[name] = threading.Event()
            self._wake[name] = threading.Event()
            t = threading.Thread(target=self._supervise, args=(name,), name=f"dev-{name}",
                                 daemon=True)
            self._threads.append(t)
            t.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        for wake in self._wake.values():
            wake.set()
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
            for name in self._out_of_service:
                out.setdefault(name, {})[SERVICE] = OUT_OF_SERVICE
        return out

    # -- technician actions ----------------------------------------------------------------
    def serving(self, name: str) -> bool:
        """False for a device a technician marked out of service."""
        with self._lock:
            return name not in self._out_of_service

    def set_serving(self, name: str, serving: bool) -> bool:
        """Mark a device out of service (the kiosk stops offering what needs it) or back in
        service; publishes a `service` status change. False when nothing changed."""
        with self._lock:
            if (name not in self._out_of_service) == serving:
                return False
            (self._out_of_service.discard if serving else self._out_of_service.add)(name)
        old, new = (OUT_OF_SERVICE, IN_SERVICE) if serving else (IN_SERVICE, OUT_OF_SERVICE)
        self.bus.publish(StatusChanged(name, name, SERVICE, old, new))
        return True

    def reset(self, name: str) -> None:
        """Close the device and open it again now (its supervisor does it)."""
        wake = self._wake.get(name)
        if wake is None:
            raise KeyError(f"no device {name!r} configured")
        self._resets.add(name)
        wake.set()

    def recheck(self) -> None:
        """Ask every device now: poll the open ones, retry the missing ones at once."""
        for name in self.enabled_names():
            dev = self.device(name)
            if dev is not None and dev.state == DeviceState.ONLINE.value:
                try:
                    dev.poll()
                except DeviceError as exc:
                    log.info("re-check: %s %s", name, exc)
            else:
                self._wake.get(name, threading.Event()).set()

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
                reset = name in self._resets
                self._resets.discard(name)
                dev.close(DeviceState.OFFLINE if reset else DeviceState.NO_DEVICE)
                if reset:
                    log.warning("%s reset by the technician: opening it again", name)
                    continue
            if self._wake[name].wait(backoff):
                self._wake[name].clear()
                self._resets.discard(name)
                backoff = self.config.devices.reconnect_min_s
            backoff = min(backoff * 2, self.config.devices.reconnect_max_s)

    def _watch(self, name: str, dev: Device) -> None:
        """Poll an open device until it fails or the manager stops."""
        interval = getattr(dev, "poll_interval", 1.0)
        wake = self._wake[name]
        while not self._stop.is_set():
            if wake.wait(interval):
                wake.clear()
                if name in self._resets:
                    return
            if self._stop.is_set():
                return
            dev.poll()  # raises DeviceError when the device is gone
