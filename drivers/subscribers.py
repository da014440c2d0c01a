"""A thread-safe list of subscribers: adding one hands back its unsubscribe, and publishing
works on a snapshot so a subscriber may come or go while events are delivered. Used by every
device (status changes and events) and by the core's EventBus."""
from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class Subscribers(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[T] = []

    def add(self, item: T) -> Callable[[], None]:
        """Subscribe `item`; the returned function unsubscribes it (a second call does nothing)."""
        with self._lock:
            self._items.append(item)

        def unsubscribe() -> None:
            with self._lock:
                if item in self._items:
                    self._items.remove(item)
        return unsubscribe

    def snapshot(self) -> list[T]:
        """The subscribers now, to call outside any lock."""
        with self._lock:
            return list(self._items)
