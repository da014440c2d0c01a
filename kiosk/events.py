"""A small thread-safe publish/subscribe bus between the core, the alerts and the screens.

Subscribers run on the publisher's thread; the Kivy skin hands events to the UI thread itself
(Clock.schedule_once), so the core never knows about the UI.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

log = logging.getLogger(__name__)

Subscriber = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[tuple[type | tuple[type, ...] | None, Subscriber]] = []

    def subscribe(self, callback: Subscriber,
                  types: type | tuple[type, ...] | None = None) -> Callable[[], None]:
        """Call `callback(event)` for every event (or only those of `types`)."""
        entry = (types, callback)
        with self._lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)
        return unsubscribe

    def publish(self, event: Any) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for types, callback in subscribers:
            if types is not None and not isinstance(event, types):
                continue
            try:
                callback(event)
            except Exception:
                log.exception("event subscriber %r failed on %r", callback, event)
