"""Python's full garbage collections, moved to moments when nobody is waiting on the screen.

A built kiosk holds some 300,000 objects (every screen's widgets and kv bindings); a full
collection over them takes 100-250 ms, and the automatic ones land wherever the allocation
count happens to cross the threshold: in the middle of a screen change. So, once every screen
is built, the objects of start-up are frozen out of the collector and automatic full
collections are off. One runs `delay` seconds after the kiosk is back on the attract screen
(the customer has gone), and at least every `interval` seconds whatever happens.
"""
from __future__ import annotations

import gc
import logging
import time

from kivy.clock import Clock

log = logging.getLogger(__name__)

NEVER = 2**31 - 1   # the largest threshold the collector takes


class IdleCollector:
    def __init__(self, delay: float = 1.0, interval: float = 600.0):
        self.delay = delay
        self.interval = interval
        self.collections = 0
        self._pending = None
        self._periodic = None
        self._thresholds: tuple[int, int, int] | None = None

    @property
    def active(self) -> bool:
        return self._thresholds is not None

    def start(self) -> None:
        """Freeze what exists now and take full collections over from the interpreter."""
        if self.active:
            return
        gc.collect()
        gc.freeze()
        self._thresholds = gc.get_threshold()
        young, middle, _full = self._thresholds
        gc.set_threshold(young, middle, NEVER)
        self._periodic = Clock.schedule_interval(lambda _dt: self.collect(), self.interval)

    def stop(self) -> None:
        """Hand collection back to the interpreter (tests, shutdown)."""
        if not self.active:
            return
        for event in (self._pending, self._periodic):
            if event is not None:
                event.cancel()
        self._pending = self._periodic = None
        gc.set_threshold(*self._thresholds)
        self._thresholds = None
        gc.unfreeze()

    def quiet(self) -> None:
        """Nobody is being served: collect shortly, unless something else is shown first."""
        if self.active and self._pending is None:
            self._pending = Clock.schedule_once(lambda _dt: self.collect(), self.delay)

    def busy(self) -> None:
        """A customer is back: a collection still waiting is put off to the next quiet time."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def collect(self) -> None:
        self._pending = None
        t0 = time.perf_counter()
        found = gc.collect()
        self.collections += 1
        log.debug("full garbage collection: %d objects freed in %.0f ms", found,
                  (time.perf_counter() - t0) * 1000)
