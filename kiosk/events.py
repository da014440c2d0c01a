"""A small thread-safe publish/subscribe bus between the core, the alerts and the screens.

Subscribers run on the publisher's thread; the Kivy skin hands events to the UI thread itself
(Clock.schedule_once), so the core never knows about the UI.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from drivers.subscribers import Subscribers

log = logging.getLogger(__name__)

Subscriber = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: Subscribers[tuple[type | tuple[type, ...] | None, Subscriber]] = \
            Subscribers()

    def subscribe(self, callback: Subscriber,
                  types: type | tuple[type, ...] | None = None) -> Callable[[], None]:
        """Call `callback(event)` for every event (or only those of `types`)."""
        return self._subscribers.add((types, callback))

    def publish(self, event: Any) -> None:
        for types, callback in self._subscribers.snapshot():
            if types is not None and not isinstance(event, types):
                continue
            try:
                callback(event)
            except Exception:
                log.exception("event subscriber %r failed on %r", callback, event)
