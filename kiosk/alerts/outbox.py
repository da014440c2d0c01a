"""SQLite store of alerts and of the fleet events still to be sent (the outbox).

An alert change and its outgoing event are written in one transaction with synchronous=FULL,
so an alert is never lost between "raised" and "sent", whatever crashes or whichever network
is down. The fleet publisher drains unsent rows and marks them sent when the broker acks.
"""
from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..datafiles import private_db_file
from .model import Alert

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    alert_id TEXT PRIMARY KEY, key TEXT NOT NULL, kind TEXT NOT NULL, device TEXT NOT NULL,
    code TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, state TEXT NOT NULL,
    raised_at REAL NOT NULL, updated_at REAL NOT NULL, count INTEGER NOT NULL,
    acknowledged_by TEXT NOT NULL, acknowledged_at REAL, resolved_at REAL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_open ON alerts (key) WHERE state != 'resolved';
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT UNIQUE NOT NULL,
    device TEXT NOT NULL, payload TEXT NOT NULL, created REAL NOT NULL, sent REAL
);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (seq) WHERE sent IS NULL;
"""

_COLUMNS = ("alert_id", "key", "kind", "device", "code", "severity", "message", "state",
            "raised_at", "updated_at", "count", "acknowledged_by", "acknowledged_at",
            "resolved_at", "data")


@dataclass(frozen=True)
class OutboxEvent:
    seq: int
    event_id: str
    device: str
    payload: str


class AlertOutbox:
    """Thread-safe; one connection guarded by a lock (writes are tiny)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            private_db_file(self.path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                   timeout=5.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- alerts ----------------------------------------------------------------------------
    def save(self, alert: Alert, event_id: str, payload: dict[str, Any]) -> None:
        """Store the alert's new state and queue its fleet event, atomically."""
        text = json.dumps(payload, ensure_ascii=False)
        with self._lock, self._transaction():
            self._upsert(alert)
            self._db.execute(
                "INSERT INTO outbox (event_id, device, payload, created) VALUES (?,?,?,?)",
                (event_id, alert.device or alert.kind, text, time.time()))

    def save_quietly(self, alert: Alert) -> None:
        """Store the alert's new state without a fleet event (a repeat only bumps the count)."""
        with self._lock, self._transaction():
            self._upsert(alert)

    def _upsert(self, alert: Alert) -> None:
        row = alert.to_dict()
        row["data"] = json.dumps(row["data"], ensure_ascii=False)
        self._db.execute(f"INSERT OR REPLACE INTO alerts ({', '.join(_COLUMNS)}) "
                         f"VALUES ({', '.join('?' * len(_COLUMNS))})", [row[c] for c in _COLUMNS])

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def get(self, alert_id: str) -> Alert | None:
        rows = self._alerts("WHERE alert_id = ?", (alert_id,))
        return rows[0] if rows else None

    def open_alert(self, key: str) -> Alert | None:
        rows = self._alerts("WHERE key = ? AND state != 'resolved'", (key,))
        return rows[0] if rows else None

    def active(self) -> list[Alert]:
        return self._alerts("WHERE state != 'resolved' ORDER BY raised_at", ())

    def history(self, limit: int = 200) -> list[Alert]:
        return self._alerts("WHERE state = 'resolved' ORDER BY resolved_at DESC LIMIT ?",
                            (limit,))

    def count_by_device(self) -> dict[str, int]:
        """How many faults each device has had (technician counters)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT device, COUNT(*) FROM alerts WHERE kind = 'fault' GROUP BY device"
            ).fetchall()
        return {device: n for device, n in rows}

    def prune(self, before: float) -> int:
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < ?", (before,))
            self._db.execute("DELETE FROM outbox WHERE sent IS NOT NULL AND sent < ?", (before,))
            return cur.rowcount

    def _alerts(self, where: str, args: tuple[Any, ...]) -> list[Alert]:
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM alerts {where}",
                                    args).fetchall()
        out = []
        for row in rows:
            data = dict(zip(_COLUMNS, row))
            data["data"] = json.loads(data["data"])
            out.append(Alert.from_dict(data))
        return out

    # -- outbox ----------------------------------------------------------------------------
    def unsent(self, limit: int, after_seq: int = 0) -> list[OutboxEvent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, event_id, device, payload FROM outbox "
                "WHERE sent IS NULL AND seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
            ).fetchall()
        return [OutboxEvent(*r) for r in rows]

    def unsent_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM outbox WHERE sent IS NULL").fetchone()[0]

    def mark_sent(self, seqs: list[int]) -> None:
        if not seqs:
            return
        now = time.time()
        with self._lock, self._transaction():
            self._db.executemany("UPDATE outbox SET sent = ? WHERE seq = ?",
                                 [(now, s) for s in seqs])
