"""The branch queue as this kiosk sees it: ticket numbers per service and the estimated wait.

Numbers restart each day; priority (VIP or booked appointment) tickets have their own letter
and are called before the others, so their wait counts only the priority tickets ahead.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

# service -> (letter, zh name, en name, minutes per customer at the counter)
QUEUE_SERVICES: dict[str, tuple[str, str, str, int]] = {
    "general": ("A", "综合业务", "General services", 6),
    "business": ("B", "账户与卡业务", "Accounts and cards", 12),
    "wealth": ("W", "理财服务", "Wealth management", 20),
}
PRIORITY_LETTER = "V"


@dataclass(frozen=True)
class Ticket:
    number: str
    service: str
    priority: bool
    waiting: int
    estimated_wait_min: int


class TicketQueue:
    def __init__(self, counters: int = 2):
        self.counters = max(1, counters)
        self._lock = threading.Lock()
        self._day: dt.date | None = None
        self._issued: dict[str, int] = {}
        self._waiting: dict[str, int] = {}

    def issue(self, service: str, *, priority: bool = False,
              today: dt.date | None = None) -> Ticket:
        if service not in QUEUE_SERVICES:
            raise ValueError(f"no queue for service {service!r}")
        today = today or dt.date.today()
        letter, _, _, minutes = QUEUE_SERVICES[service]
        key = PRIORITY_LETTER if priority else letter
        with self._lock:
            if self._day != today:
                self._day, self._issued, self._waiting = today, {}, {}
            self._issued[key] = self._issued.get(key, 0) + 1
            ahead = self._waiting.get(PRIORITY_LETTER, 0) if priority else \
                self._waiting.get(PRIORITY_LETTER, 0) + self._waiting.get(key, 0)
            self._waiting[key] = self._waiting.get(key, 0) + 1
            number = f"{key}{self._issued[key]:03d}"
        wait = -(-ahead * minutes // self.counters)
        return Ticket(number, service, priority, ahead, wait)

    def called(self, number: str) -> None:
        """A counter called this ticket: it no longer waits."""
        with self._lock:
            key = number[:1]
            if self._waiting.get(key, 0) > 0:
                self._waiting[key] -= 1
