"""The branch queue as this kiosk sees it: ticket numbers per service and the estimated wait.

Tickets are kept in SQLite in the data folder, so a restart never hands out a number twice in
one day. Numbers restart each day; priority (VIP or booked appointment) tickets have their own
letter and are called before the others, so their wait counts only the priority tickets ahead.
Without a link to the branch's calling system, a ticket counts as waiting until the time its
service would be over (issued + estimated wait + one service time), or until `called()`.
"""
from __future__ import annotations

import datetime as dt
import math
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from ..datafiles import private_db_file

# service -> (letter, zh name, en name, minutes per customer at the counter)
QUEUE_SERVICES: dict[str, tuple[str, str, str, int]] = {
    "general": ("A", "综合业务", "General services", 6),
    "business": ("B", "账户与卡业务", "Accounts and cards", 12),
    "wealth": ("W", "理财服务", "Wealth management", 20),
}
PRIORITY_LETTER = "V"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    day TEXT NOT NULL, number TEXT NOT NULL, line TEXT NOT NULL, service TEXT NOT NULL,
    issued_at REAL NOT NULL, done_at REAL NOT NULL, PRIMARY KEY (day, number))
"""


@dataclass(frozen=True)
class Ticket:
    number: str
    service: str
    priority: bool
    waiting: int
    estimated_wait_min: int


class TicketQueue:
    def __init__(self, path: str | Path | None = None, counters: int = 2):
        self.counters = max(1, counters)
        self._lock = threading.Lock()
        if path:
            private_db_file(path)
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def issue(self, service: str, *, priority: bool = False,
              now: dt.datetime | None = None) -> Ticket:
        if service not in QUEUE_SERVICES:
            raise ValueError(f"no queue for service {service!r}")
        now = now or dt.datetime.now()
        day, at = now.date().isoformat(), now.timestamp()
        letter, _, _, minutes = QUEUE_SERVICES[service]
        line = PRIORITY_LETTER if priority else letter
        lines_ahead = (PRIORITY_LETTER,) if priority else (PRIORITY_LETTER, letter)
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            (issued,) = self._db.execute(
                "SELECT COUNT(*) FROM tickets WHERE day = ? AND line = ?", (day, line)).fetchone()
            (ahead,) = self._db.execute(
                f"SELECT COUNT(*) FROM tickets WHERE day = ? AND done_at > ? "
                f"AND line IN ({','.join('?' * len(lines_ahead))})",
                (day, at, *lines_ahead)).fetchone()
            wait = math.ceil(ahead * minutes / self.counters)
            number = f"{line}{issued + 1:03d}"
            self._db.execute("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?)",
                             (day, number, line, service, at, at + (wait + minutes) * 60))
        return Ticket(number, service, priority, ahead, wait)

    def called(self, number: str, now: dt.datetime | None = None) -> None:
        """A counter called this ticket: it no longer waits."""
        now = now or dt.datetime.now()
        with self._lock, self._db:
            self._db.execute("UPDATE tickets SET done_at = ? WHERE day = ? AND number = ?",
                             (now.timestamp(), now.date().isoformat(), number))
