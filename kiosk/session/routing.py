"""Device events to the customer's session: a card inserted or pulled, an ID card laid or
lifted, a code read, a device's status changed.

A device's watcher thread only hands the event over (`deliver`); it is routed on the session's
events thread, in order, under the session's lock. So a slow card read or a host call started
by an insertion never holds up the device thread, and the screens never hear from it.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from drivers.base import DeviceEvent, StatusChanged

from ..device_conditions import ways_in
from .context import SessionContext
from .states import Step

log = logging.getLogger(__name__)


class Lifecycle(SessionContext):
    flow: Any

    def end(self, reason: str) -> None: ...

    def took(self, item: str) -> None: ...


class DeviceRoutes:
    def __init__(self, session: Lifecycle, worker: Any, lock: Any):
        self.s = session
        self._worker = worker
        self._lock = lock
        self.card_inside = False
        self._unsubscribe: Callable[[], None] | None = None

    def attach(self, bus: Any) -> Callable[[], None]:
        self._unsubscribe = bus.subscribe(self.deliver, (DeviceEvent, StatusChanged))
        return self.detach

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def deliver(self, event: DeviceEvent | StatusChanged) -> None:
        """EventBus subscriber, on the device's thread: hand over, never wait."""
        self._worker.submit("events", lambda: self.route(event))

    def route(self, event: DeviceEvent | StatusChanged) -> None:
        with self._lock:
            self._route(event, self.s.flow)

    def _route(self, event: DeviceEvent | StatusChanged, flow: Any) -> None:
        if isinstance(event, StatusChanged):
            if flow is not None and hasattr(flow, "on_status"):
                flow.on_status(event)
            if self.s.state.step == Step.ATTRACT and "ways_in" in self.s.state.view:
                self.s.update(only=Step.ATTRACT, ways_in=self.ways_in())
            return
        inserted, removed = event.name == "MediaInsertedEvent", event.name == "MediaRemovedEvent"
        if event.device == "chipcard" and inserted:
            self.card_inside = True
        if event.device == "chipcard" and removed:
            self.card_inside = False
        if getattr(flow, "exclusive", False):   # technician mode: no customer flow starts
            flow.on_device_event(event)
            return
        if event.device == "chipcard" and removed:
            self._card_removed(flow)
            return
        if event.device == "idcard" and removed:
            if flow is not None and getattr(flow, "holds_idcard", False):
                log.info("ID card removed mid-flow: ending the session")
                self.s.end("idcard_removed")
            return
        if flow is not None and hasattr(flow, "on_device_event") and flow.on_device_event(event):
            return
        if event.device == "chipcard" and inserted and self.s.state.step in (Step.ATTRACT,
                                                                             Step.MENU):
            self.s.start_flow("menu_by_card",
                              technician_card=self.s.state.step == Step.ATTRACT)

    def ways_in(self) -> list[str]:
        """The ways to begin the attract screen offers: those whose devices serve now."""
        devices = self.s.services.devices
        return ways_in(devices.statuses() if devices is not None else None)

    def _card_removed(self, flow: Any) -> None:
        step = self.s.state.step
        if step == Step.TAKE_ITEMS:
            self.s.took("card")
            return
        data = self.s.data
        if data.pan or data.card_present or (flow is not None and getattr(flow, "holds_card",
                                                                            False)):
            log.info("card removed mid-flow in %s: ending the session", step)
            self.s.end("card_removed")
