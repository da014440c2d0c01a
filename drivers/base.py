"""The device contract every driver kind builds on.

The base class owns what is common (status with change events, capabilities apart from status,
logging, error mapping, timeouts); backends implement the small protected hooks `_open`,
`_close` and `_poll`.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, ClassVar, Iterator

from .errors import DeviceError, TransportError
from .subscribers import Subscribers
from .status import DeviceState

DEFAULT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class StatusChanged:
    """XFS4IoT StatusChangedEvent: one status field of one device really changed."""
    device: str
    kind: str
    field: str
    old: str
    new: str
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class DeviceEvent:
    """Any other device event: MediaInsertedEvent, PaperThresholdEvent, a scanned code..."""
    device: str
    kind: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)


Listener = Callable[["StatusChanged | DeviceEvent"], None]


@dataclass(frozen=True)
class Capabilities:
    """What a model can do (never how it is now). Kinds extend this."""
    model: str = "unknown"


class Device:
    """Base of every device kind. Thread-safe; listeners are called on the caller's thread."""

    kind: ClassVar[str] = "device"
    status_defaults: ClassVar[dict[str, Enum | str]] = {"device": DeviceState.STARTING}

    def __init__(self, name: str, *, port: str = "", timeout: float = DEFAULT_TIMEOUT_S):
        if timeout <= 0:
            raise ValueError(f"{name}: timeout must be positive, got {timeout}")
        self.name = name
        self.port = port
        self.timeout = timeout
        self.log = logging.getLogger(type(self).__module__)
        self._lock = threading.RLock()
        self._status: dict[str, str] = {k: v.value if isinstance(v, Enum) else v
                                        for k, v in self.status_defaults.items()}
        self._listeners: Subscribers[Listener] = Subscribers()

    # -- capabilities and status -------------------------------------------------------
    @property
    def capabilities(self) -> Capabilities:
        return Capabilities()

    def status(self) -> dict[str, str]:
        with self._lock:
            return dict(self._status)

    @property
    def state(self) -> str:
        return self.status()["device"]

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(listener)

    def _set_status(self, field_name: str, value: Enum | str) -> bool:
        """Set one status field; fire StatusChanged only when the value really changes."""
        new = value.value if isinstance(value, Enum) else str(value)
        with self._lock:
            if field_name not in self._status:
                raise KeyError(f"{self.kind} has no status field {field_name!r}")
            old = self._status[field_name]
            if old == new:
                return False
            self._status[field_name] = new
            listeners = self._listeners.snapshot()
        self.log.info("%s %s: %s -> %s", self.name, field_name, old, new)
        self._notify(listeners, StatusChanged(self.name, self.kind, field_name, old, new))
        return True

    def _emit(self, name: str, **data: Any) -> None:
        listeners = self._listeners.snapshot()
        self._notify(listeners, DeviceEvent(self.name, self.kind, name, data))

    def _notify(self, listeners: list[Listener], event: StatusChanged | DeviceEvent) -> None:
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a broken listener must not take the driver down
                self.log.exception("%s: listener failed on %s", self.name, event)

    # -- lifecycle (template methods) -----------------------------------------------------
    def open(self) -> None:
        """Connect to the device. Raises TransportError (status noDevice) when it is not there."""
        with self._translate("open"):
            self._open()
        self._set_status("device", DeviceState.ONLINE)

    def close(self, state: DeviceState = DeviceState.OFFLINE) -> None:
        """Disconnect; `state` is what the status says afterwards (offline, or noDevice on loss)."""
        try:
            with self._translate("close"):
                self._close()
        except DeviceError:
            self.log.debug("%s: close failed", self.name, exc_info=True)
        self._set_status("device", state)

    def poll(self) -> None:
        """Refresh status from the device; called between jobs by the device manager."""
        with self._translate("status poll"):
            self._poll()

    def __enter__(self) -> "Device":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _translate(self, what: str) -> Iterator[None]:
        """Map OS-level failures to TransportError naming device and port; track noDevice."""
        try:
            yield
        except TransportError as exc:
            self._set_status("device", DeviceState.NO_DEVICE)
            self.log.debug("%s: %s failed: %s", self.name, what, exc)  # the caller logs it
            raise
        except DeviceError:
            raise
        except (OSError, EOFError) as exc:
            self._set_status("device", DeviceState.NO_DEVICE)
            self.log.debug("%s: %s failed: %s", self.name, what, exc)
            raise TransportError(f"{what} failed: {exc}", device=self.name, port=self.port,
                                 remedy="check the cable and power") from exc

    # -- hooks for backends -------------------------------------------------------------
    def _open(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        pass

    def _poll(self) -> None:
        pass

    def deadline(self, timeout: float | None = None) -> float:
        """Monotonic deadline for one blocking call."""
        return time.monotonic() + (self.timeout if timeout is None else timeout)
